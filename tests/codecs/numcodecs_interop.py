"""Checks ndbucket's codec output against numcodecs (run by interop_test.cpp).

usage: numcodecs_interop.py DIR

DIR/manifest.json lists cases {"config", "data", "ours", "theirs", "dtype"}. For each case this
decodes ndbucket's encoding ("ours") with numcodecs and compares it with the original data, and
writes numcodecs' own encoding of the data to "theirs". Results go to DIR/results.json.
One process for all cases keeps the test fast.
"""
import json
import os
import sys

import numpy as np
import numcodecs
import numcodecs.blosc
from numcodecs.compat import ensure_bytes


def main(directory):
    # With threads, libblosc stores blocks in the order its threads finish them: valid, but not
    # reproducible. One thread gives the canonical layout ndbucket (threads=1) writes.
    numcodecs.blosc.use_threads = False
    with open(os.path.join(directory, "manifest.json")) as f:
        manifest = json.load(f)
    results = []
    for case in manifest:
        result = {}
        with open(os.path.join(directory, case["data"]), "rb") as f:
            data = f.read()
        with open(os.path.join(directory, case["ours"]), "rb") as f:
            ours = f.read()
        codec = numcodecs.get_codec(dict(case["config"]))
        result["config"] = codec.get_config()
        try:
            decoded = ensure_bytes(codec.decode(ours))
            result["decode"] = "ok" if decoded == data else "mismatch (%d bytes)" % len(decoded)
        except Exception as error:  # reported, judged by the C++ side
            result["decode"] = "error: %s: %s" % (type(error).__name__, error)
        try:
            # numcodecs sees an array of the case's dtype, as zarr hands it chunks: blosc's
            # typesize comes from its itemsize.
            array = np.frombuffer(data, dtype=case["dtype"])
            encoded = ensure_bytes(codec.encode(array))
            with open(os.path.join(directory, case["theirs"]), "wb") as f:
                f.write(encoded)
            result["encode"] = "ok"
        except Exception as error:
            result["encode"] = "error: %s: %s" % (type(error).__name__, error)
        results.append(result)
    with open(os.path.join(directory, "results.json"), "w") as f:
        json.dump({"numcodecs": numcodecs.__version__, "results": results}, f)


if __name__ == "__main__":
    main(sys.argv[1])
