#!/usr/bin/env bash
# The test command of README.md, for a fresh machine: installs the Debian packages the tests need (the
# reception screen is tested in a real headless Chromium, with the IPAmj font), then checks formatting and
# lints, and runs every test of the workspace in release mode.
#
#   bash scripts/test.sh            (as root, or as a user who may sudo apt-get)
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/bin/chromedriver ] || need+=(chromium-driver)
[ -e /usr/share/fonts/truetype/ipamj/ipamjm.ttf ] || need+=(fonts-ipamj-mincho)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing Debian packages for the browser tests: ${need[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

cargo fmt --all -- --check
cargo clippy --workspace --all-targets --release -- -D warnings
cargo test --workspace --release
