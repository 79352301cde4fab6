#!/usr/bin/env python3
"""Small untimed helpers for bench/upload.sh, talking to a local moto_server only.

  s3_util.py reset  --endpoint URL --bucket B      wipe the server (POST /moto-api/reset),
                                                   then create bucket B: a fresh, empty bucket
  s3_util.py check  --endpoint URL --bucket B --size N
                                                   fail unless some object in B is exactly N bytes
                                                   (proves the timed upload really landed)
  s3_util.py wait   --endpoint URL                 wait (at most 20 s) until the server answers

Resetting the whole server, not just deleting objects, also frees moto's memory: it keeps every
object in RAM, and a 300 MB object per run would otherwise pile up across repetitions.
"""
import argparse
import sys
import time
import urllib.parse
import urllib.request

import boto3
from botocore.config import Config


def client(endpoint: str):
    host = urllib.parse.urlparse(endpoint).hostname
    if host != "127.0.0.1":
        sys.exit(f"s3_util: refusing endpoint {endpoint}: benchmarks talk to 127.0.0.1 only")
    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test",
                        config=Config(retries={"max_attempts": 2}))


def reset(endpoint: str, bucket: str) -> None:
    request = urllib.request.Request(endpoint.rstrip("/") + "/moto-api/reset", method="POST", data=b"")
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()
    client(endpoint).create_bucket(Bucket=bucket)


def check(endpoint: str, bucket: str, size: int) -> None:
    s3 = client(endpoint)
    listing = s3.list_objects_v2(Bucket=bucket, MaxKeys=1000)
    sizes = {o["Key"]: o["Size"] for o in listing.get("Contents", [])}
    if size not in sizes.values():
        sys.exit(f"s3_util: no object of {size} bytes in {bucket}: {sizes}")


def wait(endpoint: str) -> None:
    client(endpoint)  # checks the host
    deadline = time.monotonic() + 20
    while True:
        try:
            with urllib.request.urlopen(endpoint.rstrip("/") + "/moto-api/data.json", timeout=2) as r:
                r.read()
            return
        except OSError:
            if time.monotonic() > deadline:
                sys.exit(f"s3_util: {endpoint} did not answer within 20 s")
            time.sleep(0.1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["reset", "check", "wait"])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--bucket")
    parser.add_argument("--size", type=int)
    args = parser.parse_args()
    if args.action == "reset":
        reset(args.endpoint, args.bucket)
    elif args.action == "check":
        check(args.endpoint, args.bucket, args.size)
    else:
        wait(args.endpoint)


if __name__ == "__main__":
    main()
