"""The function the lambda-canary pipeline deploys: the revision zip is this folder."""

VERSION = "v1"


def handler(event, context):
    return {"statusCode": 200, "body": f"checkout {VERSION}"}
