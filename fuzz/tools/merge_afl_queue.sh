#!/usr/bin/env bash
# Copies afl-fuzz queue entries (inputs that reached new coverage) of TARGET into fuzz/corpus/TARGET/
# as afl-<sha1 prefix>, skipping ones already present. usage: merge_afl_queue.sh TARGET
set -euo pipefail
target=${1:?usage: merge_afl_queue.sh TARGET}
cd "$(dirname "$0")/.."
n=0
for f in findings/afl-"$target"/default/queue/id:*; do
  [ -f "$f" ] || continue
  case "$f" in *orig:*) continue ;; esac   # the seeds themselves
  dest=corpus/$target/afl-$(sha1sum "$f" | cut -c1-16)
  [ -e "$dest" ] || { cp "$f" "$dest"; n=$((n + 1)); }
done
echo "merged $n new input(s) into corpus/$target"
