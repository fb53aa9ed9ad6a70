#!/usr/bin/python3
"""Signs S3 requests with botocore, as the reference the C++ SigV4 signer is compared against.

Usage: botocore_sign.py CASES.json RESULTS.json

CASES.json is a list of objects:
  id          any string, copied to the result
  mode        "header" (S3SigV4Auth, Authorization header) or "presign" (S3SigV4QueryAuth)
  method      "GET", "PUT" ...
  scheme      "http" or "https"
  host        host[:port] as sent in the Host header
  path        the DECODED path ("/bucket/my key"); encoded here the way botocore's serializer
              encodes S3 keys, so the C++ encoder is checked too
  query       [[name, value], ...] decoded
  headers     [[name, value], ...]
  body_hex    the body (header mode), hex
  unsigned    true to sign UNSIGNED-PAYLOAD (header mode)
  access_key, secret_key, token ("" for none), region
  timestamp   "YYYYMMDDTHHMMSSZ", the signing time
  expires     seconds (presign mode)

RESULTS.json is a list of objects with id, encoded_path, canonical_request, and for header
mode authorization and content_sha256, for presign mode url.

Run with Debian's /usr/bin/python3 (python3-botocore); the timestamp is fixed by replacing the
clock botocore.auth reads.
"""

import datetime
import json
import sys
import types

import botocore.auth
from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.utils import percent_encode

_TIMESTAMP_FORMAT = "%Y%m%dT%H%M%SZ"
_now = None


class _FixedDatetime(datetime.datetime):
    @classmethod
    def utcnow(cls):
        return _now

    @classmethod
    def now(cls, tz=None):
        return _now if tz is None else _now.replace(tzinfo=tz)


# botocore.auth calls datetime.datetime.utcnow(); everything else it needs from the module
# (strptime) is inherited by the subclass.
botocore.auth.datetime = types.SimpleNamespace(datetime=_FixedDatetime)


def _capturing(base):
    class Capturing(base):
        captured = None

        def canonical_request(self, request):
            result = super().canonical_request(request)
            self.captured = result
            return result

    return Capturing


_HeaderSigner = _capturing(S3SigV4Auth)
_QuerySigner = _capturing(S3SigV4QueryAuth)


def _sign(case):
    global _now
    _now = _FixedDatetime.strptime(case["timestamp"], _TIMESTAMP_FORMAT)
    # How botocore's REST serializer encodes a greedy {Key+} label: everything but the
    # unreserved characters and '/'.
    encoded_path = percent_encode(case["path"], safe="/~")
    url = "%s://%s%s" % (case["scheme"], case["host"], encoded_path)
    credentials = Credentials(case["access_key"], case["secret_key"], case["token"] or None)
    request = AWSRequest(method=case["method"], url=url)
    # HTTPHeaders appends on assignment, so a repeated name keeps both values, as on the wire.
    for name, value in case["headers"]:
        request.headers[name] = value
    result = {"id": case["id"], "encoded_path": encoded_path}
    if case["mode"] == "header":
        request.data = bytes.fromhex(case.get("body_hex", ""))
        request.params = [tuple(pair) for pair in case["query"]]
        if case.get("unsigned"):
            request.context["client_config"] = Config(s3={"payload_signing_enabled": False})
        signer = _HeaderSigner(credentials, "s3", case["region"])
        signer.add_auth(request)
        result["authorization"] = request.headers["Authorization"]
        result["content_sha256"] = request.headers["X-Amz-Content-SHA256"]
    elif case["mode"] == "presign":
        # botocore's presigner keeps one value per name, so presign cases use distinct names.
        request.params = {name: value for name, value in case["query"]}
        signer = _QuerySigner(credentials, "s3", case["region"], expires=case["expires"])
        signer.add_auth(request)
        result["url"] = request.url
    else:
        raise ValueError("unknown mode %r" % case["mode"])
    result["canonical_request"] = signer.captured
    return result


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: botocore_sign.py CASES.json RESULTS.json")
    with open(sys.argv[1], encoding="utf-8") as f:
        cases = json.load(f)
    results = [_sign(case) for case in cases]
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        json.dump(results, f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
