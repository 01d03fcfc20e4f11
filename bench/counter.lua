-- wrk script of bench/counter-ratio.sh: POST /clinic/v1/eligibility for random synthetic members 0..MEMBERS-1,
-- the bodies onshi-bench's check_body makes (crates/onshi-bench/src/lib.rs), as the clinic TOKEN.
local members = tonumber(os.getenv("MEMBERS") or "20000")
local token = os.getenv("TOKEN") or ""
local headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }

function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)
end

function request()
  local n = math.random(0, members - 1)
  local year = 1950 + n % 60
  local month = 1 + math.floor(n / 60) % 12
  local day = 1 + math.floor(n / 720) % 28
  local body = string.format(
    '{"insurer_number":"06139992","symbol":"1","number":"%d","birth_date":"%04d-%02d-%02d","service_date":"2025-05-01"}',
    1000000 + n, year, month, day)
  return wrk.format("POST", "/clinic/v1/eligibility", headers, body)
end
