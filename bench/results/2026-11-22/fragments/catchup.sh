#!/bin/sh
# usage: catchup.sh LABEL EDGE_TARGET_DIR BENCH_TARGET_DIR PORT
set -u
L=$1; E=$2; B=$3; P=$4
OUT=/tmp/frag-bench/$L; rm -rf $OUT /tmp/frag-bench/data-$L; mkdir -p $OUT
JAVA_OPTS="${EXTRA:-} -Doutpost.eventloop.cpu=true -XX:StartFlightRecording=filename=$OUT/rec.jfr,settings=profile" sh $E/outpost serve --port $P --data-dir /tmp/frag-bench/data-$L --app-id loadgen > $OUT/server.log 2>&1 &
SP=$!
sleep 1
for i in $(seq 1 60); do curl -sf 127.0.0.1:$P/metrics >/dev/null && break; sleep 0.5; done
PID=$(pgrep -P $SP java || echo $SP)
LG="sh $B/loadgen --url http://127.0.0.1:$P --app-id loadgen --no-run-tag --server-pid $PID --no-limits"
$LG --files 1 --writers 4 --readers 0 --window 4 --ops 10 --string-bytes 4000 --duration 15 --warmup 1 --check-files 0 > $OUT/warmup.json 2> $OUT/warmup.err
curl -s 127.0.0.1:$P/metrics > $OUT/base.txt
$LG --files 1 --writers 1 --readers 6 --rate 5 --ops 10 --string-bytes 4000 --duration 5 --warmup 1 > $OUT/measured.json 2> $OUT/measured.err
curl -s 127.0.0.1:$P/metrics > $OUT/final.txt
kill $PID; wait $SP 2>/dev/null
sh /work/wt/frag/bench/eventloop-tasks.sh $OUT/final.txt $OUT/base.txt > $OUT/wall.txt
METRIC=outpost_eventloop_task_cpu_seconds sh /work/wt/frag/bench/eventloop-tasks.sh $OUT/final.txt $OUT/base.txt > $OUT/cpu.txt
echo "== $L"; cat $OUT/cpu.txt; grep -o '"errors":[^,]*\|"converged":[^,]*' $OUT/measured.json | head -3
