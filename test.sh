#!/usr/bin/env bash
# Runs Gatehouse's whole test suite: unit and integration tests (SQLite, plus
# PostgreSQL when GATEHOUSE_TEST_POSTGRES_URL is set), then the browser tests
# in Debian's Chromium against the release binary.
set -euo pipefail
cd "$(dirname "$0")"

if [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
  echo "test.sh: Chromium is missing; install it with: apt-get install -y chromium" >&2
  exit 1
fi
# Several instances are tested behind Debian's HAProxy (deploy/haproxy.cfg).
if [ -n "${GATEHOUSE_TEST_POSTGRES_URL:-}" ] && ! command -v haproxy >/dev/null && [ ! -x /usr/sbin/haproxy ]; then
  echo "test.sh: HAProxy is missing; install it with: apt-get install -y haproxy" >&2
  exit 1
fi
# The SMTP sink the tests deliver mail to, the Python relying party, and
# Prometheus' parser for /metrics.
python3 -c 'import aiosmtpd, authlib, requests, prometheus_client' 2>/dev/null || python3 -m pip install --quiet --disable-pip-version-check -r end2end/requirements.txt
if [ -z "${GATEHOUSE_TEST_POSTGRES_URL:-}" ]; then
  echo "note: GATEHOUSE_TEST_POSTGRES_URL is not set; integration tests run on SQLite only" >&2
fi

# One optimised build serves the integration tests and the browser tests
# binary, instead of a debug build and a release build.
echo "==> unit and integration tests"
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --no-fail-fast --release
else
  cargo test --workspace --no-fail-fast --release
fi

echo "==> browser tests"
# The test run above built target/release/gatehouse; building it again alone
# would recompile with other features for nothing.
[ -x target/release/gatehouse ] || cargo build --release --bin gatehouse
(cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent && npx playwright test)
