#!/usr/bin/env bash
# Copies afl-fuzz queue entries (inputs that reached new coverage) of TARGET into fuzz/corpus/TARGET/
# as afl-<sha1 prefix>, skipping ones already present. usage: merge_afl_queue.sh TARGET
# When afl-cmin and the instrumented driver that afl.sh built (fuzz/out/) are there, the queue (seeds
# included) is first narrowed with afl-cmin to the smallest set with the same coverage, and only the
# queue entries of that set are kept, so the corpus stays small.
set -euo pipefail
target=${1:?usage: merge_afl_queue.sh TARGET}
cd "$(dirname "$0")/.."
queue=findings/afl-$target/default/queue
picked=$queue
if command -v afl-cmin >/dev/null && [ -f out/ManagedTls.Fuzz.dll ] && [ -d "$queue" ]; then
  # afl-cmin refuses to work under /tmp, so its scratch space is under findings/ (ignored by git).
  rm -rf "findings/cmin-$target"
  AFL_SKIP_BIN_CHECK=1 afl-cmin -i "$queue" -o "findings/cmin-$target" -t 5000 -m none \
    -- "$(readlink -f "$(command -v dotnet)")" out/ManagedTls.Fuzz.dll afl "$target" > "findings/cmin-$target.log" 2>&1
  picked=findings/cmin-$target
fi
n=0
for f in "$picked"/id:*; do
  [ -f "$f" ] || continue
  case "$f" in *orig:*) continue ;; esac   # the seeds themselves
  dest=corpus/$target/afl-$(sha1sum "$f" | cut -c1-16)
  [ -e "$dest" ] || { cp "$f" "$dest"; n=$((n + 1)); }
done
echo "merged $n new input(s) into corpus/$target (from $picked)"
