#!/bin/sh
# Interleaved end-to-end runs of several builds (bench/README.md section 3, shortened), for restructure-2.md.
# usage: restructure2-run.sh OUTDIR LABEL=BUILD_DIR [LABEL=BUILD_DIR ...]
#   each rep runs every scenario once per build, in the order given (A B A B ...); a label may name the same
#   directory as another one (A A pairs: the noise band).
# env: SCEN (default "a b d e"), REPS (default "1 2 3"), DURATION (default 20), WARMUP (default 5),
#   JFC (a .jfc settings file: the server child records OUTDIR/X-LABEL-REP.jfr with it).
# OUTDIR/log.txt gets the start/end time and the load averages of every run (restructure2-summ.py reads it).
set -u
OUT=$1; shift
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
REPS="${REPS:-1 2 3}"
SCEN="${SCEN:-a b d e}"
DURATION="${DURATION:-20}"
WARMUP="${WARMUP:-5}"
for rep in $REPS; do
  for x in $SCEN; do
    for lb in "$@"; do
      label=${lb%%=*}; dir=${lb#*=}
      case $x in
        fanout) args="--files 10 --writers 50 --readers 10 --writer-mode upload-only --apply-readers 0 --rate 10000" ;;
        *) args="--scenario $x" ;;
      esac
      jfr=""
      if [ -n "${JFC:-}" ]; then
        jfr="--server-jvm -XX:StartFlightRecording=filename=$OUT/$x-$label-$rep.jfr,settings=$JFC"
      fi
      echo "$(date -u +%H:%M:%S) start $x $label rep$rep load $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/log.txt"
      (cd "$dir" && sh bench/target/loadgen $args --duration "$DURATION" --warmup "$WARMUP" --no-limits $jfr \
        --out "$OUT/$x-$label-$rep.json" > "$OUT/$x-$label-$rep.log" 2>&1)
      rc=$?
      echo "$(date -u +%H:%M:%S) end   $x $label rep$rep rc=$rc load $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/log.txt"
    done
  done
done
