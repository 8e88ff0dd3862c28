#!/usr/bin/env bash
# Sharded vs unsharded MFCC of the unlabelled corpora (paper.yaml) through the one-node Slurm.
set -uo pipefail
cd /work/wt/shards
export SERX_DATA=/work/shared/corpora
unset MLFLOW_TRACKING_URI
B=/work/wt/shards/.bench
SERX="nice -n 10 node packages/core/bin/serx.mjs"
ONLY="--only mfcc_unlabelled --only mfcc_unlabelled_extra"
stamp() { date +%s.%N; }
log() { echo "[$(date +%T)] $*" | tee -a $B/measure.log; }
if [ ! -d $B/cache-ingest/entries ]; then
  log "ingest (in process, not timed)"
  $SERX run experiments/paper.yaml --only ingest_unlabelled --only ingest_unlabelled_extra --executor in-process --cache $B/cache-ingest > $B/ingest.out 2>&1
  log "ingest exit $?"
fi
round() {
  local name=$1; shift
  rm -rf $B/cache-$name; cp -a $B/cache-ingest $B/cache-$name
  log "$name: start"
  local t0=$(stamp)
  $SERX run experiments/paper.yaml $ONLY --executor slurm --cache $B/cache-$name "$@" > $B/$name.out 2>&1
  local rc=$?
  local t1=$(stamp)
  log "$name: exit $rc wall $(echo "$t1 - $t0" | bc) s"
  grep -oE "slurm jobs? [0-9_, ]+" $B/$name.out | tr -d ',' | grep -oE "[0-9]+(_[0-9]+)?" | sort -u > $B/$name.jobs
  for j in $(cat $B/$name.jobs); do scontrol show job $j 2>/dev/null | grep -oE "(JobId|ArrayJobId|ArrayTaskId|JobName|JobState|RunTime|SubmitTime|StartTime|EndTime|NumCPUs)=[^ ]+" | tr '\n' ' '; echo; done > $B/$name.scontrol
}
round "${1:-plain}" ${@:2}
