#!/usr/bin/env python3
"""HTTP write load on onshi for the failover test through onshi (scripts/pg-onshi-failover-test.sh).

  onshi_write_load.py load   --addr 127.0.0.1:PORT --token T --writers N --out DIR
  onshi_write_load.py verify --addr 127.0.0.1:PORT --token T --out DIR

load: N threads enrol members (POST /insurer/v1/members), each writer its own numbers (writer w, seq i: number
w*1,000,000 + i), one request at a time on a fresh connection after any failure, 10 s timeout. Every 201 is
appended to DIR/ack.W as "seq member_id acked_at began_at"; every other answer or error to DIR/fail.W as
"began_at status-or-error". A failed attempt may or may not have been stored: it is never counted as
acknowledged, and its number is not reused. Stops when DIR/stop exists.

verify: reads every acknowledged member back through onshi (GET /insurer/v1/members/{id}: 200 with the number
written) and prints "acked=… missing=… wrong=…"; exit 1 when one is missing or wrong.
Only the standard library: it runs wherever python3 does.
"""

import argparse
import http.client
import json
import os
import sys
import threading
import time

INSURER = "01130012"


def body(w: int, i: int) -> str:
    n = w * 1_000_000 + i
    year = 1950 + n % 60
    month = 1 + (n // 60) % 12
    day = 1 + (n // 720) % 28
    return json.dumps(
        {
            "insurer_number": INSURER,
            "symbol": "9",
            "number": str(n),
            "branch": "00",
            "relationship": "insured",
            "name": "山田 太郎",
            "name_kana": "ヤマダ タロウ",
            "birth_date": f"{year:04d}-{month:02d}-{day:02d}",
            "sex": "male",
            "address": "東京都千代田区永田町二丁目1番2号",
            "acquired_on": "2024-04-01",
        },
        ensure_ascii=False,
    )


def connect(addr: str) -> http.client.HTTPConnection:
    host, port = addr.rsplit(":", 1)
    return http.client.HTTPConnection(host, int(port), timeout=10)


def writer(args, w: int) -> None:
    ack = open(os.path.join(args.out, f"ack.{w}"), "a", buffering=1)
    fail = open(os.path.join(args.out, f"fail.{w}"), "a", buffering=1)
    headers = {"Authorization": f"Bearer {args.token}", "Content-Type": "application/json"}
    conn = None
    i = 0
    while not os.path.exists(os.path.join(args.out, "stop")):
        i += 1
        began = time.time()
        try:
            if conn is None:
                conn = connect(args.addr)
            conn.request("POST", "/insurer/v1/members", body(w, i).encode(), headers)
            resp = conn.getresponse()
            data = resp.read()
            if resp.status == 201:
                member_id = json.loads(data)["member_id"]
                ack.write(f"{i} {member_id} {time.time():.6f} {began:.6f}\n")
                continue
            fail.write(f"{began:.6f} {resp.status} {data[:160].decode(errors='replace')!r}\n")
        except (OSError, http.client.HTTPException, ValueError, KeyError) as e:
            fail.write(f"{began:.6f} error {type(e).__name__}: {e}\n")
            if conn is not None:
                conn.close()
            conn = None
        time.sleep(0.05)


def load(args) -> None:
    threads = [threading.Thread(target=writer, args=(args, w), daemon=True) for w in range(1, args.writers + 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def acked(out: str):
    for name in sorted(os.listdir(out)):
        if name.startswith("ack."):
            w = int(name.split(".")[1])
            with open(os.path.join(out, name)) as f:
                for line in f:
                    seq, member_id, at, began = line.split()
                    yield w, int(seq), member_id, float(at), float(began)


def verify(args) -> int:
    headers = {"Authorization": f"Bearer {args.token}"}
    conn = connect(args.addr)
    n = missing = wrong = 0
    for w, seq, member_id, _, _ in acked(args.out):
        n += 1
        conn.request("GET", f"/insurer/v1/members/{member_id}", headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        if resp.status != 200:
            missing += 1
            print(f"missing: writer {w} seq {seq} member {member_id}: {resp.status} {data[:200]!r}", file=sys.stderr)
            continue
        text = data.decode()
        if str(w * 1_000_000 + seq) not in text:
            wrong += 1
            print(f"wrong: writer {w} seq {seq} member {member_id}: {text[:200]}", file=sys.stderr)
    print(f"acked={n} missing={missing} wrong={wrong}")
    return 1 if missing or wrong else 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("command", choices=["load", "verify"])
    p.add_argument("--addr", required=True)
    p.add_argument("--token", required=True)
    p.add_argument("--writers", type=int, default=4)
    p.add_argument("--out", required=True)
    args = p.parse_args()
    if args.command == "load":
        load(args)
        return 0
    return verify(args)


if __name__ == "__main__":
    sys.exit(main())
