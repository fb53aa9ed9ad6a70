"""Zarr v2 interop between ndbucket and zarr-python 2.13 / dask, one process per direction.

  zarr_interop.py check DIR   reads every case ndbucket wrote under DIR (DIR/manifest.json)
                              with zarr-python and dask; prints one line per failure, exits 1
                              if any.
  zarr_interop.py write DIR   writes cases with zarr-python under DIR and DIR/manifest.json
                              (expected C-order bytes, dask sums) for ndbucket to read.

Manifest: {"arrays": [case...], "groups": [...], "dask_layouts": [...]} where a case is
{"path", "dtype", "shape", "chunks", "compressor" (codec id or null), "order", "sep", "fill"
(Zarr JSON), "expected" (file of C-order bytes), "region" (NumPy slice text), "attrs",
"sum" (float or null)}.
"""
import base64
import gzip
import json
import math
import os
import sys

import dask.array as da
import numcodecs
import numpy as np
import zarr

DTYPES = ["<f8", ">f8", "<f4", "<f2", "<i8", ">i4", "<i2", "|i1", "|u1", "<u2", ">u4", "<u8",
          "|b1", "<c16", ">c8", "|S4", "<U5", "|V8"]
CODECS = [None, "zlib", "gzip", "bz2", "zstd", "lz4", "blosc", "lzma"]
SHAPES = [((7, 5), (3, 2)), ((10,), (4,)), ((5, 4, 3), (2, 3, 2)), ((7, 5), (7, 2))]


def parse_region(text):
    out = []
    for entry in text.split(","):
        parts = [int(p) if p.strip() else None for p in entry.split(":")]
        out.append(slice(*parts) if len(parts) > 1 else slice(parts[0], parts[0] + 1))
    return tuple(out)


def fill_to_python(fill, dtype):
    if fill is None:
        return None
    kind = np.dtype(dtype).kind
    special = {"NaN": np.nan, "Infinity": np.inf, "-Infinity": -np.inf}
    if kind == "f":
        return special.get(fill, fill)
    if kind == "c":
        return complex(special.get(fill[0], fill[0]), special.get(fill[1], fill[1]))
    if kind == "S":
        return base64.standard_b64decode(fill)
    return fill


def make_codec(name, index):
    if name is None:
        return None
    if name == "blosc":
        cname = ["lz4", "zstd", "zlib", "blosclz"][index % 4]
        return numcodecs.Blosc(cname=cname, clevel=5, shuffle=index % 3)
    return {"zlib": numcodecs.Zlib(level=index % 9 + 1), "gzip": numcodecs.GZip(level=5),
            "bz2": numcodecs.BZ2(level=3), "zstd": numcodecs.Zstd(level=index % 5 + 1),
            "lz4": numcodecs.LZ4(), "lzma": numcodecs.LZMA()}[name]


def values_for(dtype, shape, rng):
    dt = np.dtype(dtype)
    n = int(np.prod(shape))
    if dt.kind == "f":
        v = rng.uniform(-100, 100, n)
    elif dt.kind == "c":
        v = rng.uniform(-100, 100, n) + 1j * rng.uniform(-100, 100, n)
    elif dt.kind == "b":
        v = rng.integers(0, 2, n).astype(bool)
    elif dt.kind in "iu":
        info = np.iinfo(dt)
        v = rng.integers(max(info.min, -1000), min(info.max, 1000) + 1, n)
    elif dt.kind == "S":
        v = np.array([bytes(rng.integers(97, 123, dt.itemsize).astype(np.uint8)) for _ in range(n)])
    elif dt.kind == "U":
        v = np.array(["".join(chr(c) for c in rng.integers(0x61, 0x3b0, dt.itemsize // 4))
                      for _ in range(n)])
    else:
        return np.frombuffer(rng.bytes(n * dt.itemsize), dtype=dt).reshape(shape)
    return v.astype(dt).reshape(shape)


def fill_for(dtype, index):
    kind = np.dtype(dtype).kind
    if kind == "f":
        return [0, "NaN", "Infinity", "-Infinity", 1.5][index % 5]
    if kind == "c":
        return [[0.0, 0.0], ["NaN", 1.0]][index % 2]
    if kind in "iu":
        return [0, 7][index % 2]
    if kind == "b":
        return [False, True][index % 2]
    if kind == "U":
        return "ab"
    if kind == "S":
        return "eHk="  # b"xy"
    return None  # void: no fill (every chunk is written)


def numeric_sum(array):
    return float(da.from_zarr(array).astype("f8").sum().compute(scheduler="synchronous"))


def finite_or_none(value):
    return value if math.isfinite(value) else None


def check(directory):
    manifest = json.load(open(os.path.join(directory, "manifest.json")))
    failures = []
    checked = 0
    for case in manifest["arrays"]:
        name = case["path"]
        try:
            z = zarr.open(os.path.join(directory, name), mode="r")
            dt = np.dtype(case["dtype"])
            assert z.dtype == dt, (z.dtype, dt)
            assert list(z.shape) == case["shape"], z.shape
            assert list(z.chunks) == case["chunks"], z.chunks
            assert z.order == case["order"], z.order
            assert (z._dimension_separator or ".") == case["sep"], z._dimension_separator
            assert (z.compressor.codec_id if z.compressor else None) == case["compressor"]
            expected = np.frombuffer(open(os.path.join(directory, case["expected"]), "rb").read(),
                                     dtype=dt).reshape(case["shape"])
            got = z[...]
            assert got.tobytes() == np.ascontiguousarray(expected).tobytes(), "values differ"
            region = parse_region(case["region"])
            assert z[region].tobytes() == np.ascontiguousarray(expected[region]).tobytes(), \
                "region differs"
            assert dict(z.attrs) == case["attrs"], dict(z.attrs)
            if case["sum"] is not None:
                s = numeric_sum(z)
                assert math.isclose(s, case["sum"], rel_tol=1e-9, abs_tol=1e-9), (s, case["sum"])
            checked += 1
        except Exception as error:  # report every case, not just the first
            failures.append(f"{name} {case['dtype']} {case['compressor']}: {error!r}")
    for group in manifest["groups"]:
        try:
            g = zarr.open_consolidated(os.path.join(directory, group["path"]), mode="r")
            assert dict(g.attrs) == group["attrs"], dict(g.attrs)
            for member, expected_file in group["arrays"].items():
                data = np.frombuffer(open(os.path.join(directory, expected_file), "rb").read(),
                                     dtype=g[member].dtype)
                assert g[member][...].tobytes() == data.tobytes(), member
            checked += 1
        except Exception as error:
            failures.append(f"group {group['path']}: {error!r}")
    for layout in manifest["dask_layouts"]:
        try:
            root = os.path.join(directory, layout["path"])
            text = open(os.path.join(root, "metadata.json")).read()
            meta = json.loads(text)
            assert json.dumps(meta) == text, "metadata.json is not json.dumps output"
            out = np.zeros(meta["shape"], dtype=meta["dtype"])
            starts = [np.concatenate([[0], np.cumsum(c)]) for c in meta["chunks"]]
            for (index, key), size in zip(meta["dask"], meta["chunk_sizes"]):
                body = open(os.path.join(directory, key), "rb").read()
                part = np.frombuffer(gzip.decompress(body), dtype=meta["dtype"]).reshape(size)
                sel = tuple(slice(s[i], s[i] + n) for s, i, n in zip(starts, index, size))
                out[sel] = part
            expected = np.frombuffer(open(os.path.join(directory, layout["expected"]), "rb").read(),
                                     dtype=meta["dtype"]).reshape(meta["shape"])
            assert out.tobytes() == expected.tobytes(), "dask layout values differ"
            checked += 1
        except Exception as error:
            failures.append(f"dask layout {layout['path']}: {error!r}")
    for line in failures:
        print("FAIL", line)
    print("checked", checked)
    return 1 if failures else 0


def write(directory):
    rng = np.random.default_rng(2024)
    cases = []
    index = 0
    for dtype in DTYPES:
        for codec in CODECS:
            shape, chunks = SHAPES[index % len(SHAPES)]
            sep = "/" if index % 2 else "."
            order = "F" if index % 3 == 1 else "C"
            fill = fill_for(dtype, index)
            name = f"z{index}"
            z = zarr.open(os.path.join(directory, name), mode="w", shape=shape, chunks=chunks,
                          dtype=dtype, compressor=make_codec(codec, index),
                          fill_value=fill_to_python(fill, dtype), order=order,
                          dimension_separator=sep)
            values = values_for(dtype, shape, rng)
            if index % 3 == 0 and fill is not None:
                # Only part of the array: the other chunks stay missing and read as fill.
                region = tuple(slice(1, min(4, n)) for n in shape)
                z[region] = values[region]
                expected = z[...]
            else:
                z[...] = values
                expected = values
            z.attrs["case"] = index
            open(os.path.join(directory, name + ".bin"), "wb").write(
                np.ascontiguousarray(expected).tobytes())
            kind = np.dtype(dtype).kind
            cases.append({"path": name, "dtype": np.dtype(dtype).str, "shape": list(shape),
                          "chunks": list(chunks), "compressor": codec, "order": order,
                          "sep": sep, "fill": json.loads(open(
                              os.path.join(directory, name, ".zarray")).read())["fill_value"],
                          "expected": name + ".bin",
                          "region": ",".join("1::2" for _ in shape),
                          "attrs": {"case": index},
                          "sum": finite_or_none(numeric_sum(z)) if kind in "fiub" else None})
            index += 1
    # A group with consolidated metadata.
    g = zarr.open_group(os.path.join(directory, "grp"), mode="w")
    g.attrs["title"] = "from zarr-python"
    x = g.create_dataset("sub/x", data=np.arange(12, dtype="<i4").reshape(3, 4), chunks=(2, 3))
    x.attrs["units"] = "m"
    g.create_dataset("y", data=np.linspace(0, 1, 5), chunks=(2,))
    zarr.consolidate_metadata(os.path.join(directory, "grp"))
    manifest = {"arrays": cases,
                "groups": [{"path": "grp", "attrs": {"title": "from zarr-python"},
                            "arrays": {"sub/x": list(range(12)), "y": list(np.linspace(0, 1, 5))}}],
                "dask_layouts": []}
    json.dump(manifest, open(os.path.join(directory, "manifest.json"), "w"), allow_nan=False)
    print("wrote", len(cases))
    return 0


if __name__ == "__main__":
    mode, directory = sys.argv[1], sys.argv[2]
    sys.exit(check(directory) if mode == "check" else write(directory))
