"""Interop half of tests/array/interop_test.cpp, run once per test executable.

usage: array_interop.py DIR
       NDBUCKET_INTEROP_S3="ENDPOINT ACCESS_KEY SECRET_KEY BUCKET" array_interop.py DIR

1. Checks every raw array ndbucket wrote (DIR/cpp/manifest.json: key, metadata, expected C-order
   bytes) by decoding it the way cottoncandy does (gzip module, numcodecs, numpy).
2. Writes raw arrays exactly as cottoncandy's upload_raw_array does into DIR/py (body files, the
   metadata in manifest.json, expected C-order bytes) for ndbucket to read.
With NDBUCKET_INTEROP_S3, ndbucket's objects are read from the bucket with boto3 (bodies and
x-amz-meta-* metadata), and the objects of 2 and 6 are also put there with boto3's put_object and
their metadata, as cottoncandy does; otherwise bodies are files of a directory store under DIR.
Prints one line per failure and exits 1 if any.
"""
import gzip
import io
import json
import os
import sys

import numcodecs
import numpy as np

DIR = sys.argv[1]
failures = []

S3 = os.environ.get("NDBUCKET_INTEROP_S3")
if S3:
    import boto3
    from botocore.config import Config

    ENDPOINT, ACCESS, SECRET, BUCKET = S3.split()
    s3 = boto3.client("s3", endpoint_url=ENDPOINT, aws_access_key_id=ACCESS,
                      aws_secret_access_key=SECRET, region_name="us-east-1",
                      config=Config(s3={"addressing_style": "path"}))


def fetch(prefix, key, manifest_metadata):
    """(body, metadata) of an object ndbucket wrote: from the bucket (metadata from its headers)
    or from the directory store's file (metadata from the manifest)."""
    if S3:
        obj = s3.get_object(Bucket=BUCKET, Key=prefix + "/" + key)
        return obj["Body"].read(), obj["Metadata"]
    return open(os.path.join(DIR, prefix, key), "rb").read(), manifest_metadata


def publish(key, body, metadata):
    """Puts an object the way cottoncandy does, when testing against a bucket."""
    if S3:
        s3.put_object(Bucket=BUCKET, Key=key, Body=body, Metadata=metadata)

DTYPES = ["<f8", ">f8", "<f4", "<f2", "<i8", ">i4", "<i2", "|i1", "|u1", "<u2", ">u4", "<u8",
          "|b1", "<c16", ">c8", "|S4", "<U5", "|V8"]
# cottoncandy's compression values and how it frames each body.
CODECS = {
    "LZ4": numcodecs.LZ4(), "Zstd": numcodecs.Zstd(), "Zlib": numcodecs.Zlib(),
    "BZ2": numcodecs.BZ2(), "GZIP": numcodecs.GZip(), "lzma": numcodecs.LZMA(),
    "Blosc": numcodecs.Blosc(),
}


def decode(body, compression, dtype):
    name = compression
    if name in ("False", "None"):
        return body
    if name == "gzip":
        return gzip.GzipFile(fileobj=io.BytesIO(body)).read()
    for key, codec in CODECS.items():
        if key.lower() == name.lower():
            return bytes(codec.decode(body))
    raise ValueError("unknown compression " + name)


def encode(data, compression, arr):
    if compression == "False":
        return data
    if compression == "gzip":
        out = io.BytesIO()
        with gzip.GzipFile(fileobj=out, mode="wb") as f:  # level 9, as cottoncandy
            f.write(data)
        return out.getvalue()
    if compression == "Blosc":
        # cottoncandy hands numcodecs the array, whose itemsize becomes blosc's typesize.
        try:
            return bytes(CODECS["Blosc"].encode(np.ascontiguousarray(arr)))
        except (TypeError, ValueError):
            return bytes(CODECS["Blosc"].encode(data))
    return bytes(CODECS[compression].encode(data))


# 1. What ndbucket wrote.
cpp_manifest = os.path.join(DIR, "cpp", "manifest.json")
checked = 0
if os.path.exists(cpp_manifest):
    for case in json.load(open(cpp_manifest)):
        meta = case["metadata"]
        try:
            body, meta = fetch("cpp", case["body"], meta)
            dtype = np.dtype(meta["dtype"])
            shape = tuple(int(x) for x in meta["shape"].split(",")) if meta["shape"] else ()
            assert meta["order"] == "C", "order " + meta["order"]
            assert dtype.str == meta["dtype"], "dtype.str differs"
            raw = decode(body, meta["compression"], dtype)
            n = int(np.prod(shape)) * dtype.itemsize
            arr = np.frombuffer(raw[:n], dtype=dtype).reshape(shape)
            expected = open(os.path.join(DIR, "cpp", case["expected"]), "rb").read()
            assert arr.tobytes() == expected, "values differ"
            assert ",".join(str(d) for d in arr.shape) == meta["shape"], "shape text"
            for k, v in case.get("user", {}).items():
                assert meta.get(k) == v, "user metadata " + k
            checked += 1
        except Exception as error:  # noqa: BLE001 - report every case
            failures.append("cpp case %s (%s): %r" % (case["body"], meta, error))

# 2. Objects as cottoncandy writes them.
py_dir = os.path.join(DIR, "py")
os.makedirs(py_dir, exist_ok=True)
cases = []


def emit(body, expected, meta):
    """One case as cottoncandy writes it: the body under py/<n>.body with its metadata."""
    name = "%d.body" % len(cases)
    cases.append({"body": name, "expected": "%d.expected" % len(cases), "metadata": meta})
    open(os.path.join(py_dir, name), "wb").write(body)
    open(os.path.join(py_dir, cases[-1]["expected"]), "wb").write(expected)
    publish("py/" + name, body, meta)


rng = np.random.default_rng(1234)
shapes = [(), (7,), (2, 3, 4), (0,), (0, 3)]
for typestr in DTYPES:
    dtype = np.dtype(typestr)
    for compression in ["False", "gzip"] + list(CODECS):
        for shape in shapes:
            if int(np.prod(shape)) == 0 and compression in ("LZ4", "Zstd", "Blosc"):
                continue  # cottoncandy cannot read these back itself; numcodecs cannot decode
            count = int(np.prod(shape))
            raw = rng.integers(0, 256, size=count * dtype.itemsize, dtype=np.uint8)
            if dtype.kind == "b":
                raw &= 1
            arr = np.frombuffer(raw.tobytes(), dtype=dtype).reshape(shape)
            data = np.ascontiguousarray(arr).tobytes()
            body = encode(data, compression, arr)
            meta = {"dtype": arr.dtype.str, "shape": ",".join(str(d) for d in arr.shape),
                    "compression": compression, "order": "C", "note": "py%d" % len(cases)}
            emit(body, data, meta)
# Old releases: Fortran-ordered raw and gzip bodies, the legacy gzip key.
arr = np.arange(24, dtype="<f8").reshape(2, 3, 4)
for compression in ["False", "gzip"]:
    body = encode(arr.tobytes(order="F"), compression, arr)
    emit(body, arr.tobytes(), {"dtype": "<f8", "shape": "2,3,4", "compression": compression,
                               "order": "F"})
data = np.arange(5, dtype="<i4").tobytes()
emit(encode(data, "gzip", None), data, {"dtype": "<i4", "shape": "5", "gzip": "True"})
json.dump(cases, open(os.path.join(py_dir, "manifest.json"), "w"))

# 3. .npy files ndbucket wrote: np.load must read them with the same values and layout.
npy_checked = 0
npy_manifest = os.path.join(DIR, "npy_cpp", "manifest.json")
if os.path.exists(npy_manifest):
    for case in json.load(open(npy_manifest)):
        try:
            arr = np.load(os.path.join(DIR, "npy_cpp", case["file"]))
            assert arr.dtype.str == case["dtype"], "dtype " + arr.dtype.str
            assert list(arr.shape) == case["shape"], "shape %r" % (arr.shape,)
            expected = open(os.path.join(DIR, "npy_cpp", case["expected"]), "rb").read()
            assert np.ascontiguousarray(arr).tobytes() == expected, "values differ"
            if case["fortran"]:
                assert arr.flags.f_contiguous and not arr.flags.c_contiguous, "not fortran"
            with open(os.path.join(DIR, "npy_cpp", case["file"]), "rb") as f:
                version = np.lib.format.read_magic(f)
            assert case["version"] in (0, version[0]), "version %r" % (version,)
            npy_checked += 1
        except Exception as error:  # noqa: BLE001
            failures.append("npy case %s: %r" % (case["file"], error))

# 4. .npy files as np.save (and np.lib.format for versions 2.0 and 3.0) writes them.
npy_dir = os.path.join(DIR, "npy_py")
os.makedirs(npy_dir, exist_ok=True)
npy_cases = []
for i, typestr in enumerate(DTYPES):
    dtype = np.dtype(typestr)
    for shape in [(), (5,), (3, 4), (2, 3, 4), (0, 2)]:
        for fortran in [False, True]:
            for version in [None, (2, 0), (3, 0)]:
                count = int(np.prod(shape))
                raw = rng.integers(0, 256, size=count * dtype.itemsize, dtype=np.uint8)
                if dtype.kind == "b":
                    raw &= 1
                arr = np.frombuffer(raw.tobytes(), dtype=dtype).reshape(shape)
                if fortran:
                    arr = np.asfortranarray(arr)
                name = "n%d.npy" % len(npy_cases)
                with open(os.path.join(npy_dir, name), "wb") as f:
                    if version is None:
                        np.save(f, arr)
                    else:
                        np.lib.format.write_array(f, arr, version=version)
                expected = "n%d.expected" % len(npy_cases)
                open(os.path.join(npy_dir, expected), "wb").write(np.ascontiguousarray(arr).tobytes())
                npy_cases.append({"file": name, "expected": expected, "dtype": arr.dtype.str,
                                  "shape": list(arr.shape),
                                  "fortran": bool(arr.flags.f_contiguous and not arr.flags.c_contiguous)})
json.dump(npy_cases, open(os.path.join(npy_dir, "manifest.json"), "w"))

# 5. Sparse matrices ndbucket wrote (FileStore root: object a/b is the file a/b; metadata from the
# manifest), rebuilt with scipy.sparse.
import scipy.sparse as sp  # noqa: E402

sparse_checked = 0
sparse_manifest = os.path.join(DIR, "sparse_cpp", "manifest.json")
if os.path.exists(sparse_manifest):
    manifest = json.load(open(sparse_manifest))
    for case in manifest["matrices"]:
        name = case["name"]
        try:
            root = os.path.join(DIR, "sparse_cpp")
            meta_doc = json.loads(fetch("sparse_cpp", name + "/metadata.json", {})[0])
            parts = {}
            for attr in meta_doc["attrs"]:
                body, meta = fetch("sparse_cpp", name + "/" + attr,
                                   manifest["objects"][name + "/" + attr])
                dtype = np.dtype(meta["dtype"])
                shape = tuple(int(x) for x in meta["shape"].split(",")) if meta["shape"] else ()
                raw = decode(body, meta["compression"], dtype)
                count = int(np.prod(shape))
                parts[attr] = np.frombuffer(raw[:count * dtype.itemsize], dtype).reshape(shape)
            kind = meta_doc["type"]
            shape = tuple(meta_doc["shape"])
            if kind == "coo":
                m = sp.coo_matrix((parts["data"], (parts["row"], parts["col"])), shape=shape)
            else:
                cls = {"csr": sp.csr_matrix, "csc": sp.csc_matrix, "bsr": sp.bsr_matrix}[kind]
                m = cls((parts["data"], parts["indices"], parts["indptr"]), shape=shape)
            dense = np.frombuffer(open(os.path.join(root, case["expected"]), "rb").read(),
                                  dtype=m.dtype).reshape(shape)
            assert np.array_equal(m.toarray(), dense), "values differ"
            assert kind == case["type"], "type " + kind
            sparse_checked += 1
        except Exception as error:  # noqa: BLE001
            failures.append("sparse case %s: %r" % (name, error))

# 6. Sparse matrices as cottoncandy's upload_sparse_array writes them, every type.
sparse_dir = os.path.join(DIR, "sparse_py")
os.makedirs(sparse_dir, exist_ok=True)
objects = []
matrices = []
srng = np.random.default_rng(77)
for i, (kind, dtype, index_dtype, compression, shape) in enumerate([
        ("csr", "<f8", "<i4", "gzip", (10, 8)), ("csc", "<f8", "<i4", "gzip", (10, 8)),
        ("coo", "<f8", "<i4", "gzip", (10, 8)), ("bsr", "<f8", "<i4", "gzip", (10, 8)),
        ("dia", "<f8", "<i4", "gzip", (10, 8)), ("csr", "<f4", "<i8", "Zstd", (30, 50)),
        ("csc", "<f8", "<i8", "False", (1, 1)), ("coo", "<f4", "<i4", "LZ4", (7, 3)),
        ("csr", "<f8", "<i4", "gzip", (0, 5)), ("bsr", "<f4", "<i4", "Zlib", (6, 9))]):
    dense = srng.random(shape).astype(dtype)
    dense[srng.random(shape) < 0.6] = 0
    if kind == "bsr":
        m = sp.bsr_matrix(dense, blocksize=(2, 2) if shape[1] % 3 else (2, 3))
    elif kind == "dia":
        m = sp.dia_matrix(dense)
    else:
        m = {"csr": sp.csr_matrix, "csc": sp.csc_matrix, "coo": sp.coo_matrix}[kind](dense)
    attrs = {"csr": ["data", "indices", "indptr"], "csc": ["data", "indices", "indptr"],
             "bsr": ["data", "indices", "indptr"], "coo": ["row", "col", "data"],
             "dia": ["data", "offsets"]}[kind]
    name = "sp%d" % i
    for attr in attrs:
        arr = getattr(m, attr)
        if attr != "data":
            arr = arr.astype(index_dtype)
        body = encode(np.ascontiguousarray(arr).tobytes(), compression, arr)
        meta = {"dtype": arr.dtype.str, "shape": ",".join(str(d) for d in arr.shape),
                "compression": compression, "order": "C"}
        objects.append({"key": name + "/" + attr, "body": "%s_%s.body" % (name, attr),
                        "metadata": meta})
        open(os.path.join(sparse_dir, objects[-1]["body"]), "wb").write(body)
        publish("sparse/" + objects[-1]["key"], body, meta)
    doc = json.dumps({"type": kind, "attrs": attrs, "shape": list(m.shape)})
    objects.append({"key": name + "/metadata.json", "body": name + "_metadata.json",
                    "metadata": {}})
    open(os.path.join(sparse_dir, name + "_metadata.json"), "w").write(doc)
    publish("sparse/" + name + "/metadata.json", doc.encode(), {})
    open(os.path.join(sparse_dir, name + ".dense"), "wb").write(
        np.ascontiguousarray(dense.astype("<f8")).tobytes())
    matrices.append({"name": name, "type": kind, "dtype": dtype, "rows": shape[0],
                     "cols": shape[1], "dense": name + ".dense"})
json.dump({"objects": objects, "matrices": matrices},
          open(os.path.join(sparse_dir, "manifest.json"), "w"))

print("python: objects through %s" % ("RGW with boto3" if S3 else "a directory store"))
print("python: checked %d ndbucket arrays, wrote %d cottoncandy arrays" % (checked, len(cases)))
print("python: scipy read %d ndbucket sparse matrices, wrote %d" % (sparse_checked, len(matrices)))
print("python: np.load read %d ndbucket .npy files, np.save wrote %d" % (npy_checked, len(npy_cases)))
for failure in failures:
    print("FAIL", failure)
sys.exit(1 if failures else 0)
