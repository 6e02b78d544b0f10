#!/bin/sh
# bench/README.md section 4, "section-4 load" case, on a fresh server of one build; for restructure-2.md.
# usage: restructure2-eventloop.sh OUTDIR LABEL REP BUILD_DIR PORT
#   BUILD_DIR holds edge-server/target/outpost and bench/target/loadgen of the build. Writes OUTDIR/s4-LABEL-REP.{json,log}
#   (load generator), OUTDIR/s4-LABEL-REP.{base,final} (the scrapes around the measured phase),
#   OUTDIR/s4-LABEL-REP.tasks (wall and CPU summaries, mean CPU per task by kind) and a line in
#   OUTDIR/log.txt with the load averages. The server is stopped by its pid at the end.
set -u
OUT=$1; LABEL=$2; REP=$3; DIR=$4; PORT=$5
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
DATA=$(mktemp -d); TASKS=$(cd "$(dirname "$0")/../../.." && pwd)/bench/eventloop-tasks.sh
cd "$DIR"
echo "$(date -u +%H:%M:%S) start s4 $LABEL rep$REP load $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/log.txt"
JAVA_OPTS=-Doutpost.eventloop.cpu=true sh edge-server/target/outpost serve --port "$PORT" --data-dir "$DATA" \
  --app-id loadgen > "$OUT/s4-$LABEL-$REP.serve.log" 2>&1 &
PID=$!
for i in $(seq 1 60); do curl -sf "127.0.0.1:$PORT/metrics" > /dev/null && break; sleep 1; done
LG="sh bench/target/loadgen --url http://127.0.0.1:$PORT --app-id loadgen --no-run-tag --server-pid $PID --no-limits"
$LG --files 10 --writers 20 --readers 20 --rate 1000 --duration 5 --warmup 1 --check-files 0 > /dev/null 2>&1
curl -s "127.0.0.1:$PORT/metrics" > "$OUT/s4-$LABEL-$REP.base"
$LG --files 10 --writers 20 --readers 20 --rate 1000 --duration 20 --warmup 5 --out "$OUT/s4-$LABEL-$REP.json" \
  > "$OUT/s4-$LABEL-$REP.log" 2>&1
curl -s "127.0.0.1:$PORT/metrics" > "$OUT/s4-$LABEL-$REP.final"
{ echo "wall"; sh "$TASKS" "$OUT/s4-$LABEL-$REP.final" "$OUT/s4-$LABEL-$REP.base"
  echo "cpu"; METRIC=outpost_eventloop_task_cpu_seconds sh "$TASKS" "$OUT/s4-$LABEL-$REP.final" "$OUT/s4-$LABEL-$REP.base"
  echo "cpu per task (mean, us), from the _sum and _count of the two scrapes"
  awk '/^outpost_eventloop_task_cpu_seconds_(sum|count)\{/ { match($0, /kind="[^"]*"/); k = substr($0, RSTART + 6, RLENGTH - 7);
    f = index($0, "_sum{") ? "s" : "c"; v[FILENAME, f, k] = $NF; kinds[k] = 1 }
    END { for (k in kinds) { c = v[ARGV[1], "c", k] - v[ARGV[2], "c", k]; s = v[ARGV[1], "s", k] - v[ARGV[2], "s", k];
      if (c > 0) printf "%-12s %9d tasks %8.1f us\n", k, c, 1e6 * s / c } }' "$OUT/s4-$LABEL-$REP.final" "$OUT/s4-$LABEL-$REP.base"
} > "$OUT/s4-$LABEL-$REP.tasks" 2>&1
kill "$PID"; wait "$PID" 2>/dev/null
rm -rf "$DATA"
echo "$(date -u +%H:%M:%S) end   s4 $LABEL rep$REP load $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/log.txt"
