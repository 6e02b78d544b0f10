#!/bin/sh
# Summarise outpost_eventloop_task_seconds{kind=...} of a running server (README section 4): per kind and in total,
# the number of tasks, the shares <= 0.5 ms, <= 1 ms and <= 5 ms, and the (decaying) max.
# Usage: sh bench/eventloop-tasks.sh [METRICS_URL]   (default http://127.0.0.1:9555/metrics; "-" reads a scrape from
# stdin). METRIC=outpost_eventloop_task_cpu_seconds summarises the tasks' CPU time instead (server started with
# -Doutpost.eventloop.cpu=true in JAVA_OPTS).
URL="${1:-http://127.0.0.1:9555/metrics}"
METRIC="${METRIC:-outpost_eventloop_task_seconds}"
if [ "$URL" = "-" ]; then cat; else curl -s "$URL"; fi | awk -v metric="$METRIC" '
index($0, metric "_bucket{") == 1 || index($0, metric "_count{") == 1 || index($0, metric "_max{") == 1 {
  match($0, /kind="[^"]*"/); kind = substr($0, RSTART + 6, RLENGTH - 7)
  v = $NF + 0
  if (index($0, metric "_bucket{") == 1) {
    match($0, /le="[^"]*"/); le = substr($0, RSTART + 4, RLENGTH - 5)
    if (le + 0 == 0.0005) b05[kind] = v
    else if (le + 0 == 0.001) b1[kind] = v
    else if (le + 0 == 0.005) b5[kind] = v
  } else if (index($0, metric "_count{") == 1) { n[kind] = v } else { mx[kind] = v }
}
END {
  printf "%-14s %10s %9s %9s %9s %10s\n", "kind", "tasks", "<=0.5ms", "<=1ms", "<=5ms", "max_ms"
  for (k in n) if (n[k] > 0) {
    printf "%-14s %10d %8.3f%% %8.3f%% %8.3f%% %10.2f\n", k, n[k], 100*b05[k]/n[k], 100*b1[k]/n[k], 100*b5[k]/n[k], 1000*mx[k]
    N += n[k]; B05 += b05[k]; B1 += b1[k]; B5 += b5[k]; if (mx[k] > M) M = mx[k]
  }
  if (N > 0) printf "%-14s %10d %8.3f%% %8.3f%% %8.3f%% %10.2f\n", "ALL", N, 100*B05/N, 100*B1/N, 100*B5/N, 1000*M
}'
