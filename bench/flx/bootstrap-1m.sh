#!/usr/bin/env bash
# FLX bootstrap of 1,000,000 small objects to one fresh client (issue 11 item 6; bench/README.md section 7).
# Usage: bench/flx/bootstrap-1m.sh WORK_DIR [REPS] [PORT]   (from the repository root, after
#   ./mvnw -B -o -q -DskipTests package). WORK_DIR gets Item.json (generated once) and data/ (imported once);
#   one line of figures per run goes to WORK_DIR/runs.txt (and stdout). The server is stopped at the end.
set -euo pipefail
WORK=${1:?usage: bootstrap-1m.sh WORK_DIR [REPS] [PORT]}
REPS=${2:-3}
PORT=${3:-9190}
APP=boot
OUTPOST=edge-server/target/outpost
JAR=bench/target/benchmarks.jar
mkdir -p "$WORK"
if [ ! -s "$WORK/Item.json" ]; then
  python3 -c '
import sys
w = sys.stdout.write
for i in range(1000000):
    w("{\"_id\":{\"$oid\":\"%024x\"},\"owner\":\"u%d\",\"n\":%d,\"tag\":\"t%d\",\"name\":\"item-%d\"}\n" % (i + 1, i % 10, i, i % 100, i))
' > "$WORK/Item.json"
fi
if [ ! -d "$WORK/data" ]; then
  /usr/bin/time -v "$OUTPOST" import --data-dir "$WORK/data" --app-id "$APP" "$WORK/Item.json" 2>&1 \
    | tail -30 > "$WORK/import.txt"
fi
"$OUTPOST" serve --port "$PORT" --data-dir "$WORK/data" --app-id "$APP" --host 127.0.0.1 > "$WORK/server.log" 2>&1 &
LAUNCHER=$!
trap 'kill "$LAUNCHER" 2>/dev/null || true; wait "$LAUNCHER" 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$PORT/api/client/v2.0/app/$APP/location" > /dev/null && break
  sleep 1
done
PID=$LAUNCHER # the launcher execs java: same pid
echo "server pid $PID, rss after start $(grep VmRSS /proc/"$PID"/status)" | tee -a "$WORK/runs.txt"
for q in '{"Item":"owner == \"u3\""}' '{"Item":"TRUEPREDICATE"}' '{"Item":"n >= 0"}'; do
  for r in $(seq 1 "$REPS"); do
    line=$(java -Xmx2g -cp "$JAR" dev.outpost.bench.flx.BootstrapRun "http://127.0.0.1:$PORT" "$APP" "$q" "$PID")
    echo "$(date -u +%H:%M:%S) load=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' ,) rep=$r $line" | tee -a "$WORK/runs.txt"
  done
done
