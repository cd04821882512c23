#!/usr/bin/env bash
# Makes the package-validation baseline (decision 0034): the packages of the pinned commit, packed as 1.0.0 with that
# commit's own build files, into eng/package-baseline/. Run once per release line; the result is committed.
set -euo pipefail
commit=${1:-b5bb8778489faa1ee71d2757a9423dca29fc2284}
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "$repo/../baseline.XXXXXX")
trap 'git -C "$repo" worktree remove --force "$work"' EXIT
git -C "$repo" worktree add -q --detach "$work" "$commit"
for p in ManagedTls ManagedTls.Testing; do
  dotnet pack "$work/src/$p" -c Release -p:Version=1.0.0 -p:ContinuousIntegrationBuild=true -o "$repo/eng/package-baseline"
done
