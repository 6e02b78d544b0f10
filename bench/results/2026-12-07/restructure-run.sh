#!/bin/sh
# interleaved before/after end-to-end runs (bench/README.md section 3, shortened)
OUT=/work/bench-m/raw
mkdir -p $OUT
REPS="${REPS:-1 2}"
SCEN="${SCEN:-a b d e fanout}"
for rep in $REPS; do
  for x in $SCEN; do
    for build in before after; do
      cd /work/wt-$build
      case $x in
        fanout) args="--files 10 --writers 50 --readers 10 --writer-mode upload-only --apply-readers 0 --rate 10000" ;;
        *) args="--scenario $x" ;;
      esac
      echo "$(date -u +%H:%M:%S) start $x $build rep$rep load $(cut -d' ' -f1-3 /proc/loadavg)" >> $OUT/log.txt
      sh bench/target/loadgen $args --duration 20 --warmup 5 --no-limits --out $OUT/$x-$build-$rep.json > $OUT/$x-$build-$rep.log 2>&1
      echo "$(date -u +%H:%M:%S) end   $x $build rep$rep rc=$? load $(cut -d' ' -f1-3 /proc/loadavg)" >> $OUT/log.txt
    done
  done
done
