#!/usr/bin/env python3
"""Prepares the AWS emulator (moto_server) for pipelines/lambda-canary.yml.

Reads AWS_ENDPOINT_URL and AWS_REGION like the AWS SDKs. Idempotent:
  - switches moto's Lambda to its docker-free backend (once, before any function exists: the
    switch hides functions created before it);
  - creates the IAM role, the `checkout` function and the two hook functions, if missing;
  - creates the `checkout-errors` alarm in state OK;
  - queues hook answers: moto never runs function code, so each hook invocation returns the next
    queued answer (default: two "Succeeded", one per hook of one run). `--hooks Succeeded Failed`
    makes the post-traffic hook fail, to watch a rollback.
"""
import argparse
import io
import json
import os
import urllib.request
import zipfile

import boto3

parser = argparse.ArgumentParser()
parser.add_argument("--hooks", nargs="*", default=["Succeeded", "Succeeded"],
                    help="status each hook invocation returns, in order")
args = parser.parse_args()

endpoint = os.environ.get("AWS_ENDPOINT_URL", "http://127.0.0.1:5000").rstrip("/")
region = os.environ.get("AWS_REGION", "us-east-1")


def moto_api(path, body=None):
    data = None if body is None else json.dumps(body).encode()
    with urllib.request.urlopen(urllib.request.Request(endpoint + path, data=data, method="POST" if data else "GET")) as response:
        text = response.read()
        return json.loads(text) if text else None


if moto_api("/moto-api/config")["lambda"]["use_docker"]:
    moto_api("/moto-api/config", {"lambda": {"use_docker": False}})

session = dict(endpoint_url=endpoint, region_name=region,
               aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "test"),
               aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "test"))
iam, lam, cloudwatch = (boto3.client(name, **session) for name in ("iam", "lambda", "cloudwatch"))

try:
    role = iam.get_role(RoleName="checkout-lambda")["Role"]["Arn"]
except iam.exceptions.NoSuchEntityException:
    role = iam.create_role(RoleName="checkout-lambda", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }))["Role"]["Arn"]


def code(text):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", text)
    return buffer.getvalue()


existing = {f["FunctionName"] for f in lam.list_functions()["Functions"]}
for name, handler in [("checkout", "VERSION = 'v0'\ndef handler(e, c):\n    return VERSION\n"),
                      ("checkout-pre-traffic", "def handler(e, c):\n    return {'status': 'Succeeded'}\n"),
                      ("checkout-post-traffic", "def handler(e, c):\n    return {'status': 'Succeeded'}\n")]:
    if name not in existing:
        lam.create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler="handler.handler",
                            Code={"ZipFile": code(handler)})
        print(f"created function {name}")

cloudwatch.put_metric_alarm(AlarmName="checkout-errors", MetricName="Errors", Namespace="AWS/Lambda", Statistic="Sum",
                            Period=60, EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanThreshold")
cloudwatch.set_alarm_state(AlarmName="checkout-errors", StateValue="OK", StateReason="demo start")

if args.hooks:
    moto_api("/moto-api/static/lambda-simple/response",
             {"results": [json.dumps({"status": status}) for status in args.hooks], "region": region})
    print("queued hook answers: " + ", ".join(args.hooks))
