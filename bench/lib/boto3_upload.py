#!/usr/bin/env python3
"""The boto3 peer of the upload benchmark: `upload_file` with boto3's default TransferConfig
(multipart above 8 MiB, 8 MiB parts, 10 threads, default CRC32 checksums), as a Python user
would write it. Timed as a whole process, so interpreter start-up and `import boto3` count,
just as the AWS CLI's and Slipway's start-up do.

  boto3_upload.py FILE BUCKET KEY ENDPOINT
"""
import sys
import urllib.parse

import boto3

path, bucket, key, endpoint = sys.argv[1:5]
if urllib.parse.urlparse(endpoint).hostname != "127.0.0.1":
    sys.exit("boto3_upload: benchmarks talk to 127.0.0.1 only")
boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").upload_file(path, bucket, key)
