#!/bin/sh
# JMH of bench/README.md sections 1-2 that cover code changed between the builds (codec changeset decoder; the
# integrator path), interleaved per rep, for restructure-2.md.
# usage: restructure2-jmh.sh OUTDIR LABEL=BUILD_DIR [LABEL=BUILD_DIR ...]    env: REPS (default "1 2")
set -u
OUT=$1; shift
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
for rep in ${REPS:-1 2}; do
  for lb in "$@"; do
    label=${lb%%=*}; dir=${lb#*=}
    echo "$(date -u +%H:%M:%S) start jmh $label rep$rep load $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/log.txt"
    (cd "$dir" && java -jar bench/target/benchmarks.jar 'ChangesetBenchmark.(decode|baselineByteScan)$' \
      'IntegrateBenchmark' -p window=100 -f 1 -wi 2 -i 3 -w 1s -r 1s -prof gc \
      -rf json -rff "$OUT/jmh-$label-$rep.json" > "$OUT/jmh-$label-$rep.log" 2>&1)
    echo "$(date -u +%H:%M:%S) end   jmh $label rep$rep rc=$? load $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/log.txt"
  done
done
