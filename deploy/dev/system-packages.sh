#!/usr/bin/env bash
# Installs the Debian packages the test suite drives: Chromium (Playwright), redis-server, npm
# (axe-core for the accessibility checks), Pango with fonts for WeasyPrint (invoice PDFs),
# caddy (the reverse proxy with on-demand TLS) and pgbouncer (the pooler the tests put in front);
# with "bench", also wrk (the benchmarks' load generator).
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v npm >/dev/null || missing+=(nodejs npm)  # npm ci installs axe-core for the browser tests
for package in libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
done
command -v caddy >/dev/null || missing+=(caddy)  # on-demand TLS in front of Portico in the tests
[ -x /usr/sbin/pgbouncer ] || missing+=(pgbouncer)  # the tests run offices through it (session mode)
if [ "${1:-}" = "bench" ]; then command -v wrk >/dev/null || missing+=(wrk); fi
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null; then
  echo "Please install: ${missing[*]} (Debian/Ubuntu packages)" >&2; exit 1
fi
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "Installing ${missing[*]} ..."
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
