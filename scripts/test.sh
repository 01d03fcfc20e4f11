#!/usr/bin/env bash
# The test command of README.md, for a fresh machine: installs the Debian packages the tests need (the
# reception screen is tested in a real headless Chromium, with the IPAmj font), then checks formatting and
# lints, starts the PostgreSQL test cluster (below), and runs every test of the workspace in release mode.
#
#   bash scripts/test.sh            (as root, or as a user who may sudo apt-get)
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/bin/chromedriver ] || need+=(chromium-driver)
[ -e /usr/share/fonts/truetype/ipamj/ipamjm.ttf ] || need+=(fonts-ipamj-mincho)
# pdftoppm and pdftotext: the printed 資格確認書 and お知らせ are rendered and read back (onshi-document-pdf)
[ -x /usr/bin/pdftoppm ] || need+=(poppler-utils)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing Debian packages for the browser and PDF tests: ${need[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# PostgreSQL for the store's conformance suite (issue 11): a primary and two synchronous standbys on 127.0.0.1
# (scripts/pg-cluster.sh, installing Debian postgresql-15 when missing); ONSHI_TEST_PG_URL, the URI of a fresh
# database on its primary, dropped when the tests end (and the cluster stopped, unless it was running before),
# and ONSHI_TEST_PG_STANDBY_URL, one of its standbys. (The primary alone, not the multi-host URI: the engine's
# tests append their own "?options=…" to the URL. The multi-host URI is exercised by .ci/run's scenarios on
# PostgreSQL and by scripts/pg-onshi-failover-test.sh.) The store's tests
# that find the URL run on PostgreSQL as well as on SQLite, each in a database of its own.
# A cluster that cannot start is reported and the tests still run (the PostgreSQL ones pass unrun) until
# ONSHI_REQUIRE_PG=1 is set below. ONSHI_TEST_PG=0 skips it.
start_test_cluster() {
  [ "${ONSHI_TEST_PG:-1}" != 0 ] || return 0
  local stop="bash scripts/pg-cluster.sh stop || true"
  if bash scripts/pg-cluster.sh is-up 2>/dev/null; then stop=":"; fi
  if ! bash scripts/pg-cluster.sh start; then
    echo "error: the PostgreSQL test cluster did not start (see above); the store's conformance suite runs on" >&2
    echo "both engines. Fix the cluster, or run ONSHI_TEST_PG=0 bash scripts/test.sh for SQLite only." >&2
    exit 1
  fi
  local db="onshi_test_$$"
  bash scripts/pg-cluster.sh createdb "$db"
  ONSHI_TEST_PG_URL=$(bash scripts/pg-cluster.sh primary-url "$db")
  export ONSHI_TEST_PG_URL
  ONSHI_TEST_PG_STANDBY_URL=$(bash scripts/pg-cluster.sh standby-url postgres)
  export ONSHI_TEST_PG_STANDBY_URL
  # the PostgreSQL tests fail, instead of passing unrun, when the URL is missing
  export ONSHI_REQUIRE_PG=1
  # shellcheck disable=SC2064 # expanded now on purpose: the database name and what to stop are known now
  trap "bash scripts/pg-cluster.sh dropdb $db || true; $stop" EXIT
  echo "PostgreSQL test cluster: ONSHI_TEST_PG_URL=$ONSHI_TEST_PG_URL ONSHI_TEST_PG_STANDBY_URL=$ONSHI_TEST_PG_STANDBY_URL"
}

cargo fmt --all -- --check
cargo clippy --workspace --all-targets --release -- -D warnings
start_test_cluster
cargo test --workspace --release
