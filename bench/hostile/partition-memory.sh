#!/bin/bash
# usage: bench/hostile/partition-memory.sh NAME OUTPOST_LAUNCHER PORT N L [extra serve flags...]
# Starts the server, creates N partitions of L-byte names over one anonymous connection (t_uniq.py), waits for the
# sessions to be released, reports live heap (jcmd GC.class_histogram), RSS and data size, restarts and reports
# again. Limits are settings: pass e.g. --new-files-per-user 0 --new-files-per-app 0 --partition-max-bytes 3900
# to measure the unlimited case. env REPRO (default ../shared/repro/hostile-input), WORK (default /tmp/outpost-partitions).
set -u
NAME=$1; BIN=$(realpath "$2"); PORT=$3; N=$4; L=$5; shift 5
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
REPRO=${REPRO:-$ROOT/../shared/repro/hostile-input}
WORK=${WORK:-/tmp/outpost-partitions}
D=$WORK/data-$NAME; rm -rf "$D"; mkdir -p "$D"
LOG=$WORK/$NAME.log; : > "$LOG"
heap() { jcmd $1 GC.class_histogram 2>/dev/null | awk '/^Total/{printf "%.1f MB live heap (%d objects)", $3/1048576, $2}'; }
rss() { awk '/VmRSS/{printf "%.0f MB RSS", $2/1024}' /proc/$1/status; }
start() {
  JAVA_OPTS="-Xmx4g" $BIN serve --port $PORT --data-dir $D --app-id app1 "$@" >>$WORK/$NAME.server.log 2>&1 &
  SP=$!
  for i in $(seq 1 120); do curl -s -o /dev/null http://127.0.0.1:$PORT/api/client/v2.0/app/app1/location && break; sleep 0.5; done
  # the launcher execs java; find the java pid
  JP=$(pgrep -P $SP java || echo $SP); sleep 1
}
start "$@"
echo "[$NAME] started pid $JP: $(heap $JP), $(rss $JP)" | tee -a $LOG
cd "$REPRO"
PORT=$PORT APP=app1 SPID=$JP timeout 600 python3 t_uniq.py $N $L 2>&1 | tail -4 | tee -a $LOG
for i in $(seq 1 90); do S=$(jcmd $JP GC.class_histogram 2>/dev/null | awk '$4=="dev.outpost.server.sync.Session"{print $2}'); [ -z "$S" ] && break; sleep 2; done
echo "[$NAME] sessions released after ~$((i*2)) s (left: ${S:-0})" | tee -a $LOG
echo "[$NAME] after $N x $L: $(heap $JP), $(rss $JP), data $(du -sm $D | cut -f1) MB" | tee -a $LOG
jcmd $JP GC.class_histogram 2>/dev/null | head -28 > $WORK/$NAME.hist-after.txt
kill -TERM $JP; wait $SP 2>/dev/null; sleep 1
start "$@"
echo "[$NAME] after restart: $(heap $JP), $(rss $JP)" | tee -a $LOG
jcmd $JP GC.class_histogram 2>/dev/null | head -14 >> $LOG
kill -TERM $JP; wait $SP 2>/dev/null
echo "[$NAME] done" | tee -a $LOG
