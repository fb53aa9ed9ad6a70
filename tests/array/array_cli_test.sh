#!/usr/bin/env bash
# End-to-end test of `ndbucket array`: every cottoncandy raw layout (written by Python exactly as
# cottoncandy does, uploaded with `ndbucket put --metadata`) becomes, through `ndbucket array get`,
# a .npy that numpy loads with identical values; put/info/show; exit codes 0/1/2.
# usage: array_cli_test.sh NDBUCKET WORK_DIR PYTHON
set -uo pipefail
ndbucket=$1
work=$2
python=$3
rm -rf "$work"
mkdir -p "$work/bodies" "$work/out"
store="$work/store"
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
expect_exit() {  # expect_exit CODE CMD...
  local want=$1; shift
  "$@" >"$work/stdout" 2>"$work/stderr"
  local got=$?
  [[ $got -eq $want ]] || fail "exit $got (want $want): $* :: $(cat "$work/stderr")"
}

# 1. Python writes bodies in cottoncandy's layouts and the expected arrays.
"$python" - "$work" <<'PY' || { echo "FAIL: python setup" >&2; exit 1; }
import gzip, io, sys
import numcodecs
import numpy as np
work = sys.argv[1]
cases = []
def case(name, arr, compression, order="C", legacy=False, body=None):
    data = np.ascontiguousarray(arr).tobytes() if order == "C" else arr.tobytes(order="F")
    if body is None:
        if compression in ("False",):
            body = data
        elif compression == "gzip":
            out = io.BytesIO()
            with gzip.GzipFile(fileobj=out, mode="wb") as f:
                f.write(data)
            body = out.getvalue()
        else:
            codec = {"LZ4": numcodecs.LZ4(), "Zstd": numcodecs.Zstd(), "Zlib": numcodecs.Zlib(),
                     "BZ2": numcodecs.BZ2(), "GZIP": numcodecs.GZip(), "lzma": numcodecs.LZMA(),
                     "Blosc": numcodecs.Blosc()}[compression]
            body = bytes(codec.encode(np.ascontiguousarray(arr)))
    open("%s/bodies/%s" % (work, name), "wb").write(body)
    np.save("%s/bodies/%s.expected.npy" % (work, name), arr)
    meta = {"dtype": arr.dtype.str, "shape": ",".join(str(d) for d in arr.shape)}
    if legacy:
        meta["gzip"] = "True" if compression == "gzip" else "False"
    else:
        meta["compression"] = compression
        meta["order"] = order
    cases.append(name + " " + " ".join("%s=%s" % kv for kv in meta.items()))
a = np.arange(24, dtype="<f8").reshape(2, 3, 4) / 7
for c in ["False", "gzip", "GZIP", "Zstd", "LZ4", "Zlib", "BZ2", "lzma", "Blosc"]:
    case("raw_" + c, a, c)
case("fortran_raw", a, "False", order="F")
case("fortran_gzip", a, "gzip", order="F")
case("legacy_gzip", np.arange(5, dtype="<i4"), "gzip", legacy=True)
case("bigendian", np.arange(6, dtype=">i8").reshape(3, 2), "Zstd")
case("complex", (np.arange(4) + 1j).astype("<c16"), "gzip")
case("bool", np.array([True, False, True]), "False")
case("scalar", np.array(3.5), "gzip")
case("empty", np.zeros((0, 3), dtype="<f4"), "gzip")
case("strings", np.array([b"ab", b"cde"], dtype="|S3"), "False")
open(work + "/cases.txt", "w").write("\n".join(cases) + "\n")
# A .npy object (cottoncandy's upload_npy_array), Fortran-ordered, version 2.0.
f = np.asfortranarray(np.arange(12, dtype="<u2").reshape(3, 4))
with open(work + "/bodies/npy_object", "wb") as out:
    np.lib.format.write_array(out, f, version=(2, 0))
np.save(work + "/bodies/npy_object.expected.npy", f)
PY

# 2. Upload each with its metadata and download it as .npy.
while read -r name meta; do
  args=()
  for kv in $meta; do args+=(--metadata "$kv"); done
  expect_exit 0 "$ndbucket" put "$work/bodies/$name" "$store/$name" "${args[@]}"
  expect_exit 0 "$ndbucket" array get "$store/$name" "$work/out/$name.npy"
done <"$work/cases.txt"
expect_exit 0 "$ndbucket" put "$work/bodies/npy_object" "$store/npy_object"
expect_exit 0 "$ndbucket" array get "$store/npy_object" "$work/out/npy_object.npy"

# 3. put: a .npy file as a raw array (each compression) and as a .npy object; round trip.
"$python" -c "import numpy as np; np.save('$work/in.npy', np.arange(10, dtype='>f4').reshape(2, 5))"
for c in none gzip Zstd LZ4 BZ2; do
  expect_exit 0 "$ndbucket" array put "$work/in.npy" "$store/put_$c" --compression "$c" -m author=ana -q
  expect_exit 0 "$ndbucket" array get "$store/put_$c" "$work/out/put_$c.npy"
done
expect_exit 0 "$ndbucket" array put "$work/in.npy" "$store/put_default" -q
expect_exit 0 "$ndbucket" array put "$work/in.npy" "$store/put_npy" --format npy -q
expect_exit 0 "$ndbucket" array get "$store/put_npy" - 
cp "$work/stdout" "$work/out/put_npy.npy"

expect_exit 0 "$ndbucket" info "$store/put_Zstd" --json
grep -q '"compression": "Zstd"' "$work/stdout" || fail "put_Zstd compression metadata: $(cat "$work/stdout")"
grep -q '"dtype": ">f4"' "$work/stdout" || fail "put_Zstd dtype metadata"
grep -q '"author": "ana"' "$work/stdout" || fail "put_Zstd user metadata"
expect_exit 0 "$ndbucket" info "$store/put_default" --json
grep -q '"compression": "gzip"' "$work/stdout" || fail "default compression is not gzip"
expect_exit 0 "$ndbucket" info "$store/put_none" --json
grep -q '"compression": "False"' "$work/stdout" || fail "none is not written as False"

# 4. info and show.
expect_exit 0 "$ndbucket" array info "$store/raw_Zstd"
grep -q "dtype        <f8" "$work/stdout" || fail "array info dtype: $(cat "$work/stdout")"
grep -q "shape        (2, 3, 4)" "$work/stdout" || fail "array info shape"
grep -q "compression  Zstd" "$work/stdout" || fail "array info compression"
expect_exit 0 "$ndbucket" array info "$store/npy_object" --json
grep -q '"format": "npy"' "$work/stdout" || fail "array info npy format: $(cat "$work/stdout")"
grep -q '"order": "F"' "$work/stdout" || fail "array info npy order"
expect_exit 0 "$ndbucket" array show "$store/bigendian"
grep -q "dtype=>i8 shape=(3, 2)" "$work/stdout" || fail "show header: $(cat "$work/stdout")"
grep -q "\[\[0 1\]" "$work/stdout" || fail "show values: $(cat "$work/stdout")"
expect_exit 0 "$ndbucket" array show "$store/legacy_gzip"
grep -q "^\[0 1 2 3 4\]$" "$work/stdout" || fail "show legacy: $(cat "$work/stdout")"

# 5. Usage and errors.
expect_exit 2 "$ndbucket" array
expect_exit 0 "$ndbucket" array --help
grep -q "SUBCOMMAND" "$work/stdout" || fail "array --help"
for sub in info get put show; do
  expect_exit 0 "$ndbucket" array "$sub" --help
  grep -q "usage: ndbucket array $sub" "$work/stdout" || fail "array $sub --help"
done
expect_exit 2 "$ndbucket" array frobnicate
expect_exit 2 "$ndbucket" array get "$store/raw_gzip"
expect_exit 2 "$ndbucket" array get "$store/raw_gzip" x.npy --bogus
expect_exit 2 "$ndbucket" array put "$work/in.npy" "$store/p" --format zarr
expect_exit 2 "$ndbucket" array get "$store/raw_gzip" "$work/x.npy" --version 7
expect_exit 1 "$ndbucket" array get "$store/missing" "$work/out/missing.npy"
grep -q "missing" "$work/stderr" || fail "error does not name the URL: $(cat "$work/stderr")"
expect_exit 1 "$ndbucket" array put "$work/in.npy" "$store/p" --compression snappy
echo "hello" >"$work/hello.txt"
expect_exit 0 "$ndbucket" put "$work/hello.txt" "$store/plain"
expect_exit 1 "$ndbucket" array info "$store/plain"
expect_exit 1 "$ndbucket" array put "$work/hello.txt" "$store/p"
[[ -e "$work/out/missing.npy" ]] && fail "a failed get left a file"

# 6. numpy checks every downloaded .npy against what Python meant.
"$python" - "$work" <<'PY' || failures=$((failures + 1))
import glob, os, sys
import numpy as np
work = sys.argv[1]
bad = 0
checked = 0
for path in sorted(glob.glob(work + "/out/*.npy")):
    name = os.path.basename(path)[:-4]
    got = np.load(path)
    if name.startswith("put_"):
        want = np.load(work + "/in.npy")
    else:
        want = np.load("%s/bodies/%s.expected.npy" % (work, name))
    if got.dtype != want.dtype or got.shape != want.shape or not np.array_equal(got, want):
        print("FAIL: %s: got %r %s, want %r %s" % (name, got, got.dtype, want, want.dtype))
        bad += 1
    if name.startswith("fortran") or name == "npy_object":
        if name == "npy_object" and not got.flags.f_contiguous:
            print("FAIL: npy_object lost Fortran order")
            bad += 1
    checked += 1
expected = len(open(work + "/cases.txt").read().split("\n")) - 1 + 1 + 6  # + npy_object, put_*
if checked != expected:
    print("FAIL: checked %d .npy files, expected %d" % (checked, expected))
    bad += 1
print("numpy checked %d downloads" % checked)
sys.exit(1 if bad else 0)
PY

if [[ $failures -ne 0 ]]; then
  echo "$failures failure(s)" >&2
  exit 1
fi
echo "array CLI: all checks passed"
