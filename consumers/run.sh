#!/usr/bin/env bash
# Packs every packable project into a local feed (consumers/artifacts/feed), checks the packages, then builds the
# consumer applications from that feed alone and runs them with libssl/libcrypto hidden. Run after a Release build of
# ManagedTls.sln (it packs with --no-build). Prints one line per check and ends with "consumers: N passed, M failed".
#
# The version is VersionPrefix (Directory.Build.props) with a suffix new to each run, so that no consumer can be
# restored from a package of an earlier run left in the global packages folder; this run's packages are removed
# from that folder at the end.
set -uo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
without=${WITHOUT_OPENSSL:-../shared/tools/without-openssl}
artifacts=consumers/artifacts
feed=$artifacts/feed
prefix=$(sed -n 's:.*<VersionPrefix>\(.*\)</VersionPrefix>.*:\1:p' Directory.Build.props)
version="$prefix-ci.$(date -u +%Y%m%d%H%M%S).$$"
passed=0 failed=0

check() { # NAME COMMAND...: runs COMMAND, its output indented, and counts it
  local name=$1; shift
  local out
  if out=$("$@" 2>&1); then
    passed=$((passed + 1)); printf '%s\n' "$out" | tail -n 20 | sed 's/^/    /'; echo "$name: ok"
  else
    failed=$((failed + 1)); printf '%s\n' "$out" | tail -n 60 | sed 's/^/    /'; echo "$name: FAILED"
  fi
}

project_dll() { # the assembly of a consumer project: its project file's name
  local file
  file=$(ls consumers/"$1"/*.csproj)
  echo "$(basename "$file" .csproj).dll"
}

cleanup() {
  local cache
  cache=$(dotnet nuget locals global-packages --list 2>/dev/null | sed -n 's/^global-packages: //p')
  if [ -n "$cache" ]; then
    for d in "$cache"/managedtls*/"${version,,}"; do [ -d "$d" ] && rm -rf "$d"; done
  fi
}
trap cleanup EXIT

rm -rf "$artifacts" && mkdir -p "$feed"
echo "== pack $version into $feed (with package validation against eng/package-baseline)"
check "pack" timeout 900 dotnet pack ManagedTls.sln -c Release --no-build -o "$feed" -p:VersionSuffix="${version#"$prefix"-}"

echo "== package contents"
check "package ManagedTls (lib/ of three frameworks, README, license, symbols, no keys or fixtures)" \
  python3 consumers/check-package.py "$feed" ManagedTls "$version" --library
# Every further package (ManagedTls.Testing, ManagedTls.Cli, and any project made packable later) gets the generic checks.
for nupkg in "$feed"/*.nupkg; do
  id=$(basename "$nupkg" ".$version.nupkg")
  [ "$id" = ManagedTls ] && continue
  check "package $id (README, license, symbols)" python3 consumers/check-package.py "$feed" "$id" "$version"
done
# The scan is not blind: it finds the keys and fixtures that ManagedTls.SelfTest (not packed) holds.
selftest=src/ManagedTls.SelfTest/bin/Release/net10.0/ManagedTls.SelfTest.dll
check "test-material scan finds the self-test's keys and fixtures" \
  bash -c "! python3 consumers/check-package.py --scan $selftest && python3 consumers/check-package.py --scan $selftest | grep -q 'PEM private key' && python3 consumers/check-package.py --scan $selftest | grep -q 'fixture name ConnectionFuzzFixture'"

ns20=".NETStandard,Version=v2.0" core6=".NETCoreApp,Version=v6.0"
# The consumers, one line each: NAME | project under consumers/ | target framework | environment | arguments.
# The project is built from the feed once, then its TARGET/PROJECTNAME.dll is run with the arguments under
# without-openssl. ConsumerCheck's arguments name the builds of ManagedTls and BouncyCastle that must be loaded.
# A consumer of further packages is one more project under consumers/ and one more line here.
runs=(
  "net6.0|App|net6.0|DOTNET_ROLL_FORWARD=Major|--expect-managedtls $ns20 --expect-bouncycastle $core6"
  "net8.0|App|net8.0|DOTNET_ROLL_FORWARD=Major|--expect-managedtls .NETCoreApp,Version=v8.0 --expect-bouncycastle $core6"
  "net10.0|App|net10.0||--expect-managedtls .NETCoreApp,Version=v10.0 --expect-bouncycastle $core6 --bulk 16"
  "netstandard2.0|Standard/Host|net10.0||--expect-managedtls $ns20 --expect-bouncycastle $ns20 --bulk 16"
  "web (HttpClient and Kestrel)|Web|net10.0||"
)

echo "== build the consumers from the feed (no project references into src/)"
declare -A built=()
for r in "${runs[@]}"; do
  IFS='|' read -r _ project _ _ _ <<<"$r"
  [ -n "${built[$project]:-}" ] && continue
  before=$failed
  check "build consumers/$project" timeout 600 dotnet build "consumers/$project" -c Release -p:ManagedTlsVersion="$version"
  built[$project]=$((failed == before))
done

echo "== run the consumers with OpenSSL hidden"
for r in "${runs[@]}"; do
  IFS='|' read -r name project tfm envs arguments <<<"$r"
  if [ "${built[$project]}" -eq 1 ]; then
    # shellcheck disable=SC2086
    check "consumer $name" timeout 180 env $envs "$without" dotnet "consumers/$project/bin/Release/$tfm/$(project_dll "$project")" \
      --name "$name" $arguments
  else
    failed=$((failed + 1)); echo "consumer $name: FAILED (not built)"
  fi
done

echo "consumers: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
