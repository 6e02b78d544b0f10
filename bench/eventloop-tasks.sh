#!/bin/sh
# Summarise outpost_eventloop_task_seconds{kind=...} of a server (bench/README.md section 4): per kind and in total,
# the tasks, the shares <= 0.5 ms, <= 1 ms and <= 5 ms, the upper bound of the highest histogram bucket reached
# ("max<=", from the buckets: 0.01 .. 1000 ms) and the timer's own decaying max (last ~2 minutes, cumulative only).
# Usage: sh bench/eventloop-tasks.sh SCRAPE [BASELINE]
#   SCRAPE, BASELINE: a /metrics URL or a file holding a scrape ("-" = stdin). With BASELINE (a scrape taken before
#   the measured phase, e.g. after a warm-up run), only the tasks between the two scrapes count.
#   METRIC=outpost_eventloop_task_cpu_seconds summarises the tasks' thread CPU time instead (server started with
#   JAVA_OPTS=-Doutpost.eventloop.cpu=true).
METRIC="${METRIC:-outpost_eventloop_task_seconds}"
fetch() { case "$1" in http*) curl -s "$1" ;; -) cat ;; *) cat "$1" ;; esac; }
TMP="${TMPDIR:-/tmp}/eventloop-tasks.$$"
fetch "${1:-http://127.0.0.1:9556/metrics}" > "$TMP.a"
if [ -n "$2" ]; then fetch "$2" > "$TMP.b"; else : > "$TMP.b"; fi
awk -v metric="$METRIC" '
function kindof(line) { match(line, /kind="[^"]*"/); return substr(line, RSTART + 6, RLENGTH - 7) }
function leof(line) { match(line, /le="[^"]*"/); return substr(line, RSTART + 4, RLENGTH - 5) }
{
  sign = FILENAME == ARGV[1] ? 1 : -1
  if (index($0, metric "_bucket{") == 1) {
    k = kindof($0); le = leof($0); if (le == "+Inf") le = 1e9
    b[k, le + 0] += sign * $NF; les[le + 0] = 1
  } else if (index($0, metric "_count{") == 1) { n[kindof($0)] += sign * $NF }
  else if (index($0, metric "_max{") == 1 && sign == 1) { mx[kindof($0)] = $NF }
}
END {
  m = 0; for (l in les) sorted[++m] = l + 0
  for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (sorted[j] < sorted[i]) { t = sorted[i]; sorted[i] = sorted[j]; sorted[j] = t }
  printf "%-14s %9s %9s %9s %9s %10s %10s\n", "kind", "tasks", "<=0.5ms", "<=1ms", "<=5ms", "max<=ms", "timer_max"
  for (k in n) if (n[k] > 0) {
    top = 0; for (i = 1; i <= m; i++) if (b[k, sorted[i]] >= n[k]) { top = sorted[i]; break }
    printf "%-14s %9d %8.3f%% %8.3f%% %8.3f%% %10s %10.2f\n", k, n[k], 100*b[k,0.0005]/n[k], 100*b[k,0.001]/n[k], 100*b[k,0.005]/n[k], (top >= 1e9 ? ">1000" : top * 1000), 1000*mx[k]
    N += n[k]; B05 += b[k,0.0005]; B1 += b[k,0.001]; B5 += b[k,0.005]; if (top > TOP) TOP = top; if (mx[k] > M) M = mx[k]
  }
  if (N > 0) printf "%-14s %9d %8.3f%% %8.3f%% %8.3f%% %10s %10.2f\n", "ALL", N, 100*B05/N, 100*B1/N, 100*B5/N, (TOP >= 1e9 ? ">1000" : TOP * 1000), 1000*M
}' "$TMP.a" "$TMP.b"
rm -f "$TMP.a" "$TMP.b"
