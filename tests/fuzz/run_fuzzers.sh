#!/usr/bin/env bash
# Builds the libFuzzer targets with clang-14 (ASan + UBSan) and runs each for SECONDS on its seed
# corpus in tests/fuzz/corpus/<target>/ (new inputs found go to BUILD_DIR/corpus/<target>/, the
# committed seeds are never modified). Exits non-zero on any finding; the crashing input is saved
# as BUILD_DIR/findings/<target>/crash-*.
#   tests/fuzz/run_fuzzers.sh [SECONDS [BUILD_DIR [TARGET...]]]   (default 10 s, build-fuzz)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
seconds=${1:-10}
build=${2:-$here/../../build-fuzz}
shift $(( $# > 2 ? 2 : $# ))
compiler=${NDBUCKET_FUZZ_CXX:-clang++-14}
command -v "$compiler" >/dev/null || { echo "run_fuzzers.sh: $compiler not found" >&2; exit 1; }

# -O1 with line tables: what libFuzzer builds usually use, and much quicker to compile than -O2 -g.
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
cmake -S "$here" -B "$build" "${generator[@]}" -DCMAKE_CXX_COMPILER="$compiler" \
  -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS="-O1 -gline-tables-only" >/dev/null
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || mapfile -t targets < "$build/fuzz_targets.txt"
if ! cmake --build "$build" -j"${NDBUCKET_FUZZ_JOBS:-2}" --target "${targets[@]/%/_fuzzer}" \
    >"$build/build.log" 2>&1; then
  echo "run_fuzzers.sh: the build failed (log: $build/build.log)" >&2
  grep -E -m20 'error|Error' "$build/build.log" >&2 || tail -20 "$build/build.log" >&2
  exit 1
fi

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:allocator_may_return_null=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
failed=0
for target in "${targets[@]}"; do
  seeds=$here/corpus/$target
  work=$build/corpus/$target
  findings=$build/findings/$target
  mkdir -p "$work" "$findings"
  inputs=("$work")
  [[ -d $seeds ]] && inputs+=("$seeds")
  if "$build/${target}_fuzzer" -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536 \
      -timeout=10 -print_final_stats=1 -artifact_prefix="$findings/" "${inputs[@]}" \
      >"$build/$target.log" 2>&1; then
    echo "fuzz $target: ok ($(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$build/$target.log" | grep -o '[0-9]*$') runs)"
  else
    echo "fuzz $target: FINDING (log: $build/$target.log)"
    tail -40 "$build/$target.log"
    failed=1
  fi
done
exit $failed
