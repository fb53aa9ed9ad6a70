#!/usr/bin/env bash
# End-to-end test of `ndbucket array info|show|get` on chunked arrays (Zarr v2 written by
# zarr-python) and of --slice on chunked, raw and .npy arrays: every sliced .npy must equal
# NumPy's own slicing of the same data; bad slices exit 2, missing arrays exit 1.
# usage: cli_chunked_test.sh NDBUCKET WORK_DIR PYTHON
set -uo pipefail
ndbucket=$1
work=$2
python=$3
rm -rf "$work"
mkdir -p "$work/out"
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
expect_exit() {  # expect_exit CODE CMD...
  local want=$1; shift
  "$@" >"$work/stdout" 2>"$work/stderr"
  local got=$?
  [[ $got -eq $want ]] || fail "exit $got (want $want): $* :: $(cat "$work/stderr")"
}

"$python" - "$work" <<'PY' || { echo "FAIL: python setup" >&2; exit 1; }
import sys
import numcodecs
import numpy as np
import zarr
work = sys.argv[1]
a = np.arange(6 * 8 * 5, dtype="<f4").reshape(6, 8, 5) / 4
z = zarr.open(work + "/store/movie", mode="w", shape=a.shape, chunks=(4, 3, 2), dtype=a.dtype,
              compressor=numcodecs.Zstd(level=3), order="F", dimension_separator="/",
              fill_value=np.nan)
z[:, :6] = a[:, :6]  # the last chunk column stays missing: NaN
z.attrs["units"] = "m/s"
expected = z[...]
np.save(work + "/movie.npy", expected)
np.save(work + "/plain.npy", np.arange(24, dtype=">i8").reshape(4, 6))
PY

store="$work/store"
expect_exit 0 "$ndbucket" array info "$store/movie"
for want in "format       zarr" "dtype        <f4" "shape        (6, 8, 5)" "chunks       (4, 3, 2)" \
            "order        F" "separator    /" "units"; do
  grep -qF "$want" "$work/stdout" || fail "info lacks '$want': $(cat "$work/stdout")"
done
expect_exit 0 "$ndbucket" array info "$store/movie" --json
"$python" -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['format']=='zarr' and d['chunks']==[4,3,2] and d['fill_value']=='NaN' and d['compressor']['id']=='zstd', d" \
  "$work/stdout" || fail "info --json"

expect_exit 0 "$ndbucket" array put "$work/plain.npy" "$store/plain" --compression Zstd --quiet

# --slice on the chunked array (get and show) and on a raw array, against NumPy's slicing.
check_slice() {  # check_slice NAME URL EXPECTED_NPY SLICE
  local name=$1 url=$2 npy=$3 slice=$4
  expect_exit 0 "$ndbucket" array get "$url" "$work/out/$name.npy" --slice "$slice"
  "$python" - "$work/out/$name.npy" "$npy" "$slice" <<'PY' || fail "get --slice $slice on $url"
import sys
import numpy as np
got, full, text = np.load(sys.argv[1]), np.load(sys.argv[2]), sys.argv[3]
def entry(e):
    parts = [int(p) if p.strip() else None for p in e.split(":")]
    return slice(*parts) if len(parts) > 1 else slice(parts[0], parts[0] + 1 or None)
want = full[tuple(entry(e) for e in text.split(","))] if text else full
assert got.dtype == want.dtype and got.shape == want.shape, (got.dtype, got.shape, want.shape)
assert np.array_equal(got, want, equal_nan=True), (got, want)
PY
}
check_slice whole "$store/movie" "$work/movie.npy" ""
check_slice box "$store/movie" "$work/movie.npy" "1:5,2:7,1:4"
check_slice steps "$store/movie" "$work/movie.npy" "::2,1::3,::4"
check_slice index "$store/movie" "$work/movie.npy" "-1,5:,3"
check_slice missing_chunks "$store/movie" "$work/movie.npy" ":,6:"
check_slice raw "$store/plain" "$work/plain.npy" "1:3,::2"

expect_exit 0 "$ndbucket" array show "$store/movie" --slice "0,0,0:3"
grep -qF "shape=(1, 1, 3)" "$work/stdout" || fail "show --slice shape: $(cat "$work/stdout")"
grep -qF "[[[0. 0.25 0.5]]]" "$work/stdout" || fail "show --slice values: $(cat "$work/stdout")"
expect_exit 0 "$ndbucket" array show "$store/movie" --slice "0,7,:"
grep -qF "[[[nan nan nan nan nan]]]" "$work/stdout" || fail "show of a missing chunk should print nan: $(cat "$work/stdout")"

expect_exit 2 "$ndbucket" array show "$store/movie" --slice "1:2:0"
expect_exit 2 "$ndbucket" array get "$store/movie" "$work/out/x.npy" --slice "a"
expect_exit 1 "$ndbucket" array show "$store/movie" --slice "0,0,0,0"
expect_exit 1 "$ndbucket" array info "$store/nothing"
expect_exit 1 "$ndbucket" array show "$store/nothing"

if [[ $failures -ne 0 ]]; then
  echo "$failures failure(s)" >&2
  exit 1
fi
echo "cli chunked: ok"
