#!/usr/bin/env bash
# Coverage-guided fuzzing of one target with afl-fuzz (Debian package afl++) and SharpFuzz.
# usage: fuzz/afl.sh TARGET SECONDS        (targets: dotnet fuzz/out/ManagedTls.Fuzz.dll list)
# Findings go to fuzz/findings/afl-TARGET/ (crashes in default/crashes/). Exit code 1 if any crash.
set -euo pipefail
target=${1:?usage: afl.sh TARGET SECONDS}
seconds=${2:?usage: afl.sh TARGET SECONDS}
cd "$(dirname "$0")"
command -v afl-fuzz >/dev/null || { echo "afl-fuzz missing: apt-get install -y afl++" >&2; exit 2; }
dotnet tool restore >/dev/null
dotnet build ManagedTls.Fuzz -c Release -o out -v q -nologo >/dev/null
# Instrument the library under test (not the harness) so afl sees its branch coverage.
dotnet tool run sharpfuzz out/ManagedTls.dll >/dev/null
[ -d "corpus/$target" ] || { echo "no seed corpus in fuzz/corpus/$target" >&2; exit 2; }
out=findings/afl-$target
mkdir -p "$out"
AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_SKIP_BIN_CHECK=1 \
  timeout $((seconds + 60)) afl-fuzz -V "$seconds" -i "corpus/$target" -o "$out" -t 5000 -m none \
  -- dotnet out/ManagedTls.Fuzz.dll afl "$target" > "$out/afl.log" 2>&1 || true
if grep -q "SYSTEM ERROR\|PROGRAM ABORT" "$out/afl.log"; then cat "$out/afl.log" >&2; exit 2; fi
grep -a -E "fuzzer_stats|execs_done|corpus_count|saved_crashes|bitmap_cvg" "$out/default/fuzzer_stats" 2>/dev/null || true
crashes=$(find "$out" -path '*crashes/id*' | wc -l)
echo "afl-fuzz $target: $crashes crash(es) in $out"
[ "$crashes" -eq 0 ]
