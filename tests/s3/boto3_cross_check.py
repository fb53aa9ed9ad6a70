#!/usr/bin/env python3
"""boto3's side of the cross-client test: checks what ndbucket wrote, then writes for ndbucket.

usage: boto3_cross_check.py ENDPOINT ACCESS SECRET BUCKET SHA256_SMALL SHA256_LARGE
Run with Debian's /usr/bin/python3 (python3-boto3). Exits non-zero with a message on mismatch.
"""
import hashlib
import io
import sys

import boto3
from boto3.s3.transfer import TransferConfig

endpoint, access, secret, bucket, sha_small, sha_large = sys.argv[1:7]
s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                  aws_access_key_id=access, aws_secret_access_key=secret)


def check(condition, what):
    if not condition:
        sys.exit("boto3 cross-check failed: " + what)


small = s3.get_object(Bucket=bucket, Key="from-ndbucket/small.bin")
check(hashlib.sha256(small["Body"].read()).hexdigest() == sha_small, "small body differs")
check(small["Metadata"] == {"dtype": "<f8", "shape": "12500"}, f"metadata {small['Metadata']}")
check(small["ContentType"] == "application/x-test", f"content type {small['ContentType']}")
large = s3.get_object(Bucket=bucket, Key="from-ndbucket/large.bin")
check(hashlib.sha256(large["Body"].read()).hexdigest() == sha_large, "large body differs")
check(large["Metadata"] == {"parts": "many"}, f"metadata {large['Metadata']}")
check(large["ETag"].endswith('-3"'), f"expected a 3-part upload, ETag {large['ETag']}")
listed = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="from-ndbucket/")["Contents"]]
check(listed == ["from-ndbucket/large.bin", "from-ndbucket/small.bin"], f"listing {listed}")
print("boto3 read ndbucket's objects")

s3.put_object(Bucket=bucket, Key="from-boto3/table.csv", Body=b"a,b\n1,2\n",
              ContentType="text/csv", Metadata={"origin": "boto3"})
pattern = bytes(i % 251 for i in range(12 << 20))
s3.upload_fileobj(io.BytesIO(pattern), bucket, "from-boto3/multipart.bin",
                  Config=TransferConfig(multipart_threshold=5 << 20, multipart_chunksize=5 << 20))
print("boto3 wrote its objects")
