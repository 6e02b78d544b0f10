#!/bin/sh
# Starts the outpost executable on a free port with a fresh data directory, loads the status page in headless
# Chromium and checks that the page's script rendered the live figures of /status.json. Saves a screenshot.
#
#   ./mvnw -B -pl edge-server -am package -DskipTests          # builds edge-server/target/outpost
#   edge-server/scripts/check-status-page.sh [OUTPOST_EXECUTABLE] [SCREENSHOT.png]
#
# Needs chromium (Debian: apt-get install -y chromium; or CHROMIUM=/path/to/chrome) and curl.
# Exit 0 ok, 1 check failed, 77 chromium or curl missing (skip).
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
OUTPOST=${1:-$HERE/../target/outpost}
SCREENSHOT=${2:-}
CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)}
if [ -z "$CHROMIUM" ]; then echo "check-status-page: no chromium (apt-get install -y chromium): skipped"; exit 77; fi
if ! command -v curl >/dev/null; then echo "check-status-page: no curl: skipped"; exit 77; fi
if [ ! -x "$OUTPOST" ]; then echo "check-status-page: $OUTPOST missing; build it first"; exit 1; fi

WORK=$(mktemp -d)
PID=
cleanup() {
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

"$OUTPOST" serve --port 0 --data-dir "$WORK/data" --app-id statuscheck >"$WORK/server.out" 2>"$WORK/server.err" &
PID=$!

BASE=
i=0
while [ $i -lt 300 ]; do
  BASE=$(sed -n 's/^Outpost listening on \(http:[^ ]*\) .*/\1/p' "$WORK/server.out" | head -n 1)
  if [ -n "$BASE" ] && [ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/ready")" = 200 ]; then break; fi
  if ! kill -0 "$PID" 2>/dev/null; then echo "check-status-page: server exited"; cat "$WORK/server.err"; exit 1; fi
  sleep 0.1
  i=$((i + 1))
done
[ -n "$BASE" ] || { echo "check-status-page: server not ready after 30 s"; cat "$WORK/server.err"; exit 1; }

STATUS=$(curl -s "$BASE/status.json")
field() { echo "$STATUS" | sed -n "s/.*\"$1\":\([^,}]*\).*/\1/p" | tr -d '"'; }
VERSION=$(field version)
FILES=$(field server_files)
CONNECTIONS=$(field connections)

FLAGS="--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
--disable-sync --no-first-run --disable-dev-shm-usage --virtual-time-budget=5000"
# shellcheck disable=SC2086
"$CHROMIUM" $FLAGS --user-data-dir="$WORK/profile" --dump-dom "$BASE/" >"$WORK/dom.html" 2>"$WORK/chromium.err"
if [ -n "$SCREENSHOT" ]; then
  # shellcheck disable=SC2086
  "$CHROMIUM" $FLAGS --user-data-dir="$WORK/profile" --window-size=1100,700 --screenshot="$SCREENSHOT" "$BASE/" \
    2>>"$WORK/chromium.err"
fi

fail=0
expect() {
  if grep -qF "$1" "$WORK/dom.html"; then echo "ok    $1"; else echo "FAIL  $1"; fail=1; fi
}
expect 'data-rendered="true"'
expect 'class="state-READY">READY<'
expect "<span id=\"version\">$VERSION</span>"
expect "id=\"server_files\">$FILES</div>"
expect "id=\"connections\">$CONNECTIONS</div>"
expect 'id="uploads_per_second">0</div>'
if grep -qF '<span id="updated">never</span>' "$WORK/dom.html"; then echo "FAIL  page never updated"; fail=1; fi
if [ $fail -ne 0 ]; then echo "--- dom"; cat "$WORK/dom.html"; echo "--- chromium stderr"; tail -20 "$WORK/chromium.err"; exit 1; fi
echo "check-status-page: status page rendered /status.json (version $VERSION, $FILES server files) at $BASE"
