"""The Python clients of bench/run_transfer.sh, one operation per process (so the peak RSS is
that operation's): boto3 with a thread pool and its TransferConfig, and the AWS CRT S3 client
(awscrt.s3.S3Client, the engine under s3torchconnector and mountpoint-s3).

usage: transfer_python.py boto3|crt OP ENDPOINT ACCESS_KEY SECRET_KEY BUCKET CONCURRENCY
  OP: get_many (2,000 x 64 KiB), download (1 GiB into a preallocated buffer), upload (1 GiB)
Prints one JSON line like transfer_bench.
"""
import json
import resource
import sys
import time

SMALL_COUNT = 2000
SMALL_SIZE = 64 * 1024
BIG_SIZE = 1 << 30
PART = 8 << 20


def small_key(i):
    return "small/%05d" % i


def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(client, op, work):
    cpu_before = cpu_seconds()
    start = time.monotonic()
    moved = work()
    seconds = time.monotonic() - start
    cpu = cpu_seconds() - cpu_before
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps({"client": client, "op": op, "seconds": round(seconds, 3),
                      "cpu_seconds": round(cpu, 3), "bytes": moved, "peak_rss_mib": round(peak, 1)}))


class BufferSink:
    """A seekable file object writing into a preallocated buffer, so boto3's parallel download
    lands in memory like the other clients' without growing a BytesIO."""

    def __init__(self, buffer):
        self.view = memoryview(buffer)
        self.position = 0

    def write(self, data):
        self.view[self.position:self.position + len(data)] = data
        self.position += len(data)
        return len(data)

    def seek(self, offset, whence=0):
        self.position = offset if whence == 0 else self.position + offset
        return self.position

    def tell(self):
        return self.position

    def seekable(self):
        return True


def run_boto3(op, endpoint, access, secret, bucket, concurrency):
    import io
    from concurrent.futures import ThreadPoolExecutor

    import boto3
    from boto3.s3.transfer import TransferConfig
    from botocore.config import Config

    s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=access,
                      aws_secret_access_key=secret, region_name="us-east-1",
                      config=Config(max_pool_connections=concurrency * 2,
                                    s3={"addressing_style": "path"}))
    transfer = TransferConfig(multipart_threshold=16 << 20, multipart_chunksize=PART,
                              max_concurrency=concurrency)
    if op == "get_many":
        def fetch(key):
            return s3.get_object(Bucket=bucket, Key=key)["Body"].read()

        def work():
            with ThreadPoolExecutor(concurrency) as pool:
                bodies = list(pool.map(fetch, [small_key(i) for i in range(SMALL_COUNT)]))
            return sum(len(b) for b in bodies)
        measure("boto3", op, work)
    elif op == "download":
        buffer = bytearray(BIG_SIZE)

        def work():
            s3.download_fileobj(bucket, "big/source", BufferSink(buffer), Config=transfer)
            return BIG_SIZE
        measure("boto3", op, work)
    elif op == "upload":
        body = bytes(bytearray(BIG_SIZE))

        def work():
            s3.upload_fileobj(io.BytesIO(body), bucket, "big/upload-boto3", Config=transfer)
            return BIG_SIZE
        measure("boto3", op, work)
    else:
        raise SystemExit("unknown operation " + op)


def run_crt(op, endpoint, access, secret, bucket, concurrency):
    import io
    import threading

    from awscrt.auth import AwsCredentialsProvider
    from awscrt.http import HttpHeaders, HttpRequest
    from awscrt.io import ClientBootstrap, DefaultHostResolver, EventLoopGroup
    from awscrt.s3 import S3Client, S3RequestTlsMode, S3RequestType

    host = endpoint.split("://", 1)[1]
    if host.endswith(":80"):
        host = host[:-3]
    if ":" in host:
        raise SystemExit("awscrt 0.16 ignores the port in the Host header: run RGW on port 80")
    loop = EventLoopGroup()
    bootstrap = ClientBootstrap(loop, DefaultHostResolver(loop))
    client = S3Client(bootstrap=bootstrap, region="us-east-1", tls_mode=S3RequestTlsMode.DISABLED,
                      credential_provider=AwsCredentialsProvider.new_static(access, secret),
                      part_size=PART, throughput_target_gbps=10.0)

    def request(method, key, headers=(), body=None):
        all_headers = HttpHeaders([("Host", host)] + list(headers))
        return HttpRequest(method, "/%s/%s" % (bucket, key), all_headers, body)

    def check(done_args):
        error = done_args.get("error")
        if error is not None:
            raise RuntimeError("CRT request failed: %r" % (error,))

    if op == "get_many":
        def work():
            bodies = [[] for _ in range(SMALL_COUNT)]
            futures = []
            for i in range(SMALL_COUNT):
                def on_body(chunk, offset, parts=bodies[i], **kwargs):
                    parts.append(bytes(chunk))
                meta = client.make_request(request=request("GET", small_key(i)),
                                           type=S3RequestType.GET_OBJECT, on_body=on_body)
                futures.append(meta.finished_future)
            for future in futures:
                future.result()
            return sum(sum(len(p) for p in parts) for parts in bodies)
        measure("crt", op, work)
    elif op == "download":
        buffer = bytearray(BIG_SIZE)
        view = memoryview(buffer)

        def work():
            def on_body(chunk, offset, **kwargs):
                view[offset:offset + len(chunk)] = chunk
            meta = client.make_request(request=request("GET", "big/source"),
                                       type=S3RequestType.GET_OBJECT, on_body=on_body)
            meta.finished_future.result()
            return BIG_SIZE
        measure("crt", op, work)
    elif op == "upload":
        body = bytes(bytearray(BIG_SIZE))

        def work():
            stream = io.BytesIO(body)
            headers = [("Content-Length", str(BIG_SIZE)), ("Content-Type", "application/octet-stream")]
            meta = client.make_request(request=request("PUT", "big/upload-crt", headers, stream),
                                       type=S3RequestType.PUT_OBJECT)
            meta.finished_future.result()
            return BIG_SIZE
        measure("crt", op, work)
    else:
        raise SystemExit("unknown operation " + op)


def main():
    client, op, endpoint, access, secret, bucket, concurrency = sys.argv[1:8]
    runner = {"boto3": run_boto3, "crt": run_crt}[client]
    runner(op, endpoint, access, secret, bucket, int(concurrency))


if __name__ == "__main__":
    main()
