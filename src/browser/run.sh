#!/usr/bin/env bash
# Browser tests of the dashboard and the timeline report, in Debian's Chromium driven by
# playwright-core. Its own command, so `mvn -B verify` needs no browser; .ci/run runs it every time.
# It installs what it needs (Chromium from apt, node packages from package-lock.json; no browser
# download) and FAILS when Chromium cannot start: it never skips.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"

if [ ! -x /usr/bin/chromium ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
fi

# The packaged jar, and the report of a test that fails on purpose (TimelineReportTest writes it).
mvn -B -q -pl junit-extension -am package -Dtest=TimelineReportTest -Dsurefire.failIfNoSpecifiedTests=false

cd src/browser
npm ci --no-audit --no-fund --loglevel=error
npm test
echo "screenshots: $ROOT/target/browser/"
