#!/usr/bin/env bash
# End-to-end test of `ndbucket h5 import|export` on a directory store and a memory store, with
# h5py making the input and checking the output (tests/hdf5/h5_fixtures.py).
# usage: cli_h5_test.sh PATH_TO_NDBUCKET PYTHON WORK_DIR
set -uo pipefail
nb=$(realpath "$1")
python=$2
work=$3
script="$(dirname "$(realpath "$0")")/h5_fixtures.py"
rm -rf "$work" && mkdir -p "$work/fixtures"
failures=0

fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
expect_rc() {
  local want=$1; shift
  "$@" >"$work/out" 2>"$work/err"
  local got=$?
  [[ $got -eq $want ]] || fail "'$*' exited $got, expected $want; stderr: $(cat "$work/err")"
}
expect_out() { grep -qF -- "$1" "$work/out" || fail "stdout lacks '$1': $(cat "$work/out")"; }
expect_err() { grep -qF -- "$1" "$work/err" || fail "stderr lacks '$1': $(cat "$work/err")"; }

"$python" "$script" make "$work/fixtures" >/dev/null || { echo "FAIL: fixtures" >&2; exit 1; }
h5="$work/fixtures/fixtures.h5"

expect_rc 0 "$nb" --help; expect_out "h5"
expect_rc 0 "$nb" h5 --help; expect_out "import FILE URL"
expect_rc 0 "$nb" h5 import --help; expect_out "usage: ndbucket h5 import"
expect_rc 2 "$nb" h5
expect_rc 2 "$nb" h5 frob; expect_err "unknown subcommand 'frob'"
expect_rc 2 "$nb" h5 import "$h5"
expect_rc 2 "$nb" h5 import "$h5" "$work/x" --memory lots; expect_err "--memory wants a size"

# Import into a directory, with the progress bar forced on.
NDBUCKET_PROGRESS=always NDBUCKET_PROGRESS_DELAY_MS=0 \
  expect_rc 0 "$nb" h5 import "$h5" "$work/zstd" --compressor zstd --memory 1M
expect_out "arrays"
expect_err "h5 import"
"$python" "$script" zarr "$h5" "$work/zstd" >"$work/check" 2>&1 || fail "zarr check: $(cat "$work/check")"
grep -q '"id": "zstd"' "$work/zstd/large/.zarray" || fail "zstd compressor not used"
# zlib chunks export as HDF5's deflate filter.
expect_rc 0 "$nb" h5 import "$h5" "$work/zarr" --compressor '{"id": "zlib", "level": 4}'
# A second import refuses to replace arrays unless asked.
expect_rc 1 "$nb" h5 import "$h5" "$work/zarr"; expect_err "already exists"
expect_rc 0 "$nb" h5 import "$h5" "file://$work/zarr" --overwrite --quiet --compressor gzip

# Export back and compare with h5py.
expect_rc 0 "$nb" h5 export "$work/zarr" "$work/out.h5"; expect_out "datasets"
"$python" "$script" h5 "$h5" "$work/out.h5" >"$work/check" 2>&1 || fail "h5 check: $(cat "$work/check")"
expect_rc 1 "$nb" h5 export "$work/zarr" "$work/out.h5"; expect_err "file exists"
expect_rc 1 "$nb" h5 export "$work/nothing-here" "$work/none.h5"

# Unsupported types: a warning per object, or a refusal.
expect_rc 0 "$nb" h5 import "$work/fixtures/unsupported.h5" "$work/u"
expect_err "warning:"; expect_err "/vlen_str skipped: variable-length string"
expect_rc 1 "$nb" h5 import "$work/fixtures/unsupported.h5" "$work/u2" --fail-unsupported
expect_err "compound type"
[[ ! -e "$work/u2/.zgroup" ]] || fail "refused import wrote a group"
expect_rc 1 "$nb" h5 import "$work/missing.h5" "$work/u3"; expect_err "no such HDF5 file"

if [[ $failures -ne 0 ]]; then
  echo "$failures failure(s)" >&2
  exit 1
fi
rm -rf "$work"
echo "all h5 CLI tests passed"
