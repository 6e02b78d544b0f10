cd "$(dirname "$0")/../../.."   # the repository root
case_=$1; port=$2
rm -rf /tmp/q/d-$case_
(JAVA_OPTS=-Doutpost.eventloop.cpu=true sh edge-server/target/outpost serve --port $port --data-dir /tmp/q/d-$case_ --app-id loadgen > /tmp/q/serve-$case_.log 2>&1 &)
sleep 6; PID=$(pgrep -f "serve --port $port" | head -1)
LG="sh bench/target/loadgen --url http://127.0.0.1:$port --app-id loadgen --no-run-tag --server-pid $PID --no-limits"
if [ $case_ = s4 ]; then
  $LG --files 10 --writers 20 --readers 20 --rate 1000 --duration 5 --warmup 1 --check-files 0 > /dev/null 2>&1
  curl -s 127.0.0.1:$port/metrics > /tmp/q/base-$case_.txt
  $LG --files 10 --writers 20 --readers 20 --rate 1000 --duration 20 --warmup 5 --out /tmp/q/$case_.json > /tmp/q/$case_.log 2>&1
else
  $LG --files 1 --writers 4 --readers 0 --window 4 --ops 10 --string-bytes 4000 --duration 15 --warmup 1 --check-files 0 > /dev/null 2>&1
  curl -s 127.0.0.1:$port/metrics > /tmp/q/base-$case_.txt
  $LG --files 1 --writers 1 --readers 6 --rate 5 --ops 10 --string-bytes 4000 --duration 5 --warmup 1 --out /tmp/q/$case_.json > /tmp/q/$case_.log 2>&1
fi
grep -A3 "^---- result" /tmp/q/$case_.log
sh bench/eventloop-tasks.sh http://127.0.0.1:$port/metrics /tmp/q/base-$case_.txt
METRIC=outpost_eventloop_task_cpu_seconds sh bench/eventloop-tasks.sh http://127.0.0.1:$port/metrics /tmp/q/base-$case_.txt
kill $PID
