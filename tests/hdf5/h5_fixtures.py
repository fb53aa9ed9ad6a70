"""HDF5 fixtures and checks for the hdf5 tests (run by /usr/bin/python3: h5py, numpy, zarr 2.x).

  h5_fixtures.py make DIR         writes DIR/fixtures.h5, DIR/unsupported.h5 and, for every
                                  supported dataset, DIR/expected/<path>.npy plus
                                  DIR/manifest.json ({path: {dtype, shape, chunks}})
  h5_fixtures.py zarr H5 ZARRDIR  zarr-python opens the imported tree; every dataset of H5 must
                                  match (values, dtype, chunks, fill value, attributes)
  h5_fixtures.py h5 H5 EXPORTED   h5py reads the exported file; it must match H5 (hierarchy,
                                  values, dtypes, attributes, chunk shapes, gzip, fill values)
Prints 'ok' on success; exits 1 with the differences otherwise.
"""
import json
import os
import sys

import h5py
import numpy as np

NUMERIC = ["i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "f2", "f4", "f8", "c8", "c16"]


def make(directory):
    rng = np.random.default_rng(7)
    path = os.path.join(directory, "fixtures.h5")
    with h5py.File(path, "w") as f:
        f.attrs["title"] = "ndbucket fixture"
        f.attrs["version"] = 3
        f.attrs["ratio"] = 0.25
        f.attrs["flag"] = np.bool_(True)
        f.attrs["counts"] = np.arange(4, dtype="i4")
        f.attrs["matrix"] = np.arange(6, dtype="f8").reshape(2, 3) / 4
        f.attrs["names"] = ["alpha", "beta", "gamma"]
        f.attrs["bytes_name"] = np.bytes_(b"raw bytes")
        f.attrs["big"] = np.uint64(2**63 + 5)
        f.attrs["nothing"] = np.array([], dtype="f8")
        numbers = f.create_group("numbers")
        for code in NUMERIC:
            for order in "<>":
                dtype = np.dtype(order + code)
                if dtype.itemsize == 1 and order == ">":
                    continue
                if dtype.kind == "c":
                    values = (rng.standard_normal((7, 5)) + 1j * rng.standard_normal((7, 5)))
                elif dtype.kind == "f":
                    values = rng.standard_normal((7, 5)) * 100
                else:
                    info = np.iinfo(dtype)
                    values = rng.integers(info.min, info.max, size=(7, 5), dtype=dtype.newbyteorder("="),
                                          endpoint=True)
                name = code + ("_be" if order == ">" else "")
                numbers.create_dataset(name, data=values.astype(dtype), chunks=(3, 2))
        deep = f.create_group("a/b/c")
        deep.attrs["depth"] = 3
        deep.attrs["tags"] = np.array([b"x", b"yz"], dtype="S2")
        f["a"].attrs["bools"] = np.array([True, False, True])
        gz = deep.create_dataset("gzip3d", data=rng.standard_normal((20, 30, 11)).astype("f4"),
                                 chunks=(7, 8, 5), compression="gzip", compression_opts=4,
                                 fillvalue=np.float32(-1.5))
        gz.attrs["units"] = "mV"
        gz.attrs["scale"] = np.float32(0.5)
        f.create_dataset("contiguous", data=np.arange(1000, dtype="<i8").reshape(10, 100))
        f.create_dataset("contiguous_be", data=np.arange(300, dtype=">f8").reshape(3, 100) / 7)
        f.create_dataset("scalar", data=np.float64(3.25))
        f.create_dataset("scalar_int", data=np.int32(-7))
        f.create_dataset("empty", shape=(0, 4), dtype="f4")
        f.create_dataset("empty_chunked", shape=(0,), maxshape=(None,), dtype="i2")
        f.create_dataset("strings", data=np.array([b"one", b"three", b"", b"fifteen"], dtype="S7"))
        f.create_dataset("bool", data=rng.integers(0, 2, size=(9, 4)).astype(bool), chunks=(4, 4))
        colors = h5py.enum_dtype({"RED": 0, "GREEN": 1, "BLUE": 42}, basetype="u2")
        f.create_dataset("enum", data=np.array([0, 1, 42, 1], dtype="u2"), dtype=colors)
        f.create_dataset("filled", shape=(10, 10), dtype="i4", chunks=(4, 4), fillvalue=-9)
        f["filled"][0:4, 0:4] = 5
        f.create_dataset("partial_edge", data=np.arange(101, dtype="u2"), chunks=(10,),
                         compression="gzip")
        f.create_dataset("large", data=rng.standard_normal((300, 200)), chunks=(64, 50))
    with h5py.File(os.path.join(directory, "unsupported.h5"), "w") as f:
        f.create_dataset("ok", data=np.arange(5, dtype="i4"))
        f.create_dataset("compound", data=np.zeros(3, dtype=[("a", "i4"), ("b", "f8")]))
        f.create_dataset("vlen_str", data=["a", "bb", "ccc"], dtype=h5py.string_dtype())
        f.create_dataset("vlen_int", shape=(2,), dtype=h5py.vlen_dtype(np.int32))
        f.create_dataset("refs", shape=(1,), dtype=h5py.ref_dtype)
        f["ok"].attrs["cmpd"] = np.zeros(1, dtype=[("a", "i4"), ("b", "f8")])
    manifest = {}
    expected = os.path.join(directory, "expected")

    def record(name, obj):
        if not isinstance(obj, h5py.Dataset):
            return
        dtype = zarr_dtype(obj.dtype)
        array = np.ascontiguousarray(obj[()])
        array = np.frombuffer(array.tobytes(), dtype=dtype).reshape(array.shape)
        target = os.path.join(expected, name + ".npy")
        os.makedirs(os.path.dirname(target), exist_ok=True)
        np.save(target, array)
        manifest[name] = {"dtype": dtype.str, "shape": list(obj.shape),
                          "chunks": list(obj.chunks) if obj.chunks else None}

    with h5py.File(path, "r") as f:
        f.visititems(record)
    with open(os.path.join(directory, "manifest.json"), "w") as out:
        json.dump(manifest, out, indent=1)


def zarr_dtype(dtype):
    """The dtype ndbucket gives a dataset: enums become their base type (h5py bool stays)."""
    if h5py.check_enum_dtype(dtype) is not None and dtype != np.dtype(bool):
        return np.dtype(dtype.base.str)
    return np.dtype(dtype.str)


def same_values(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        return False
    if a.dtype.kind in "fc":
        return np.array_equal(a, b, equal_nan=True)
    return np.array_equal(a, b)


def attrs_equal(expected, got):
    """Attributes as JSON values: arrays compare by values, bytes by their text."""
    def norm(value):
        if isinstance(value, (bytes, np.bytes_)):
            return value.decode()
        if isinstance(value, np.ndarray):
            return [norm(v) for v in value.tolist()]
        if isinstance(value, list):
            return [norm(v) for v in value]
        if isinstance(value, np.generic):
            return value.item()
        return value
    return norm(expected) == norm(got)


def check_zarr(h5_path, zarr_dir):
    import zarr
    errors = []
    root = zarr.open_group(zarr_dir, mode="r")
    consolidated = zarr.open_consolidated(zarr_dir, mode="r")

    def check_attrs(name, obj, zobj):
        for key, value in obj.attrs.items():
            if key not in zobj.attrs:
                errors.append(f"{name}: attribute {key} missing")
            elif not attrs_equal(value, zobj.attrs[key]):
                errors.append(f"{name}: attribute {key}: {value!r} != {zobj.attrs[key]!r}")

    def visit(name, obj):
        if isinstance(obj, h5py.Group):
            check_attrs(name, obj, root[name])
            return
        z = root[name]
        zc = consolidated[name]
        if z.shape != obj.shape or zc.shape != obj.shape:
            errors.append(f"{name}: shape {z.shape} != {obj.shape}")
            return
        if z.dtype != obj.dtype and not (h5py.check_enum_dtype(obj.dtype) is not None
                                         and z.dtype == obj.dtype.base):
            errors.append(f"{name}: dtype {z.dtype} != {obj.dtype}")
        if obj.chunks and tuple(z.chunks) != obj.chunks:
            errors.append(f"{name}: chunks {z.chunks} != {obj.chunks}")
        if not same_values(z[...], obj[()]):
            errors.append(f"{name}: values differ")
        if obj.fillvalue is not None and obj.dtype.kind in "iufb":
            if not same_values(np.asarray(z.fill_value, dtype=obj.dtype), obj.fillvalue):
                errors.append(f"{name}: fill value {z.fill_value} != {obj.fillvalue}")
        check_attrs(name, obj, z)

    check_attrs("/", h5py.File(h5_path, "r"), root)
    with h5py.File(h5_path, "r") as f:
        f.visititems(visit)
    return errors


def check_h5(original, exported):
    errors = []
    with h5py.File(original, "r") as a, h5py.File(exported, "r") as b:
        names_a, names_b = [], []
        a.visit(names_a.append)
        b.visit(names_b.append)
        if sorted(names_a) != sorted(names_b):
            errors.append(f"hierarchy differs: {sorted(set(names_a) ^ set(names_b))}")

        def compare_attrs(name, x, y):
            if sorted(x.attrs) != sorted(y.attrs):
                errors.append(f"{name}: attribute names {sorted(x.attrs)} != {sorted(y.attrs)}")
            for key in x.attrs:
                if key in y.attrs and not attrs_equal(x.attrs[key], y.attrs[key]):
                    errors.append(f"{name}: attribute {key}: {x.attrs[key]!r} != "
                                  f"{y.attrs[key]!r}")

        compare_attrs("/", a, b)
        for name in names_a:
            if name not in b:
                continue
            x, y = a[name], b[name]
            if isinstance(x, h5py.Group):
                compare_attrs(name, x, y)
                continue
            expected_dtype = x.dtype
            if h5py.check_enum_dtype(x.dtype) is not None and x.dtype != np.dtype(bool):
                expected_dtype = x.dtype.base
            if y.dtype != expected_dtype:
                errors.append(f"{name}: dtype {y.dtype} != {expected_dtype}")
            if y.shape != x.shape or not same_values(x[()], y[()]):
                errors.append(f"{name}: values differ")
            if x.chunks and y.chunks != x.chunks:
                errors.append(f"{name}: chunks {y.chunks} != {x.chunks}")
            if x.compression == "gzip" and y.compression != "gzip":
                errors.append(f"{name}: compression {y.compression} != gzip")
            if x.fillvalue is not None and x.dtype.kind in "iuf" and \
                    not same_values(x.fillvalue, y.fillvalue):
                errors.append(f"{name}: fill value {y.fillvalue} != {x.fillvalue}")
            compare_attrs(name, x, y)
    return errors


def main():
    mode = sys.argv[1]
    if mode == "make":
        make(sys.argv[2])
        errors = []
    elif mode == "zarr":
        errors = check_zarr(sys.argv[2], sys.argv[3])
    elif mode == "h5":
        errors = check_h5(sys.argv[2], sys.argv[3])
    else:
        sys.exit("unknown mode " + mode)
    if errors:
        print("\n".join(errors))
        sys.exit(1)
    print("ok")


if __name__ == "__main__":
    main()
