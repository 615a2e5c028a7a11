"""An S3 endpoint from moto (PyPI moto[server]) that checks signatures, for MotoS3FetchTest.

Moto checks SigV4 signatures and IAM policies only when INITIAL_NO_AUTH_ACTION_COUNT is set: the
first N requests are free (they create the user, its key, its policy, the bucket and the object),
every later one must be signed by a known key and allowed by a policy. Prints one JSON line with the
port and the key, then serves until stdin closes. Usage: python moto_s3_store.py MODEL_FILE
"""
import json
import os
import sys

SETUP_ACTIONS = 5
os.environ["INITIAL_NO_AUTH_ACTION_COUNT"] = str(SETUP_ACTIONS)
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
# Setup requests go unsigned-but-counted; boto3 still wants some credentials to sign them.
os.environ["AWS_ACCESS_KEY_ID"] = "setup"
os.environ["AWS_SECRET_ACCESS_KEY"] = "setup"

import boto3  # noqa: E402
from moto.server import ThreadedMotoServer  # noqa: E402

server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
server.start()
host, port = server.get_host_and_port()
endpoint = f"http://{host}:{port}"

iam = boto3.client("iam", endpoint_url=endpoint)
s3 = boto3.client("s3", endpoint_url=endpoint)
iam.create_user(UserName="model-reader")
key = iam.create_access_key(UserName="model-reader")["AccessKey"]
iam.put_user_policy(UserName="model-reader", PolicyName="read-models", PolicyDocument=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::models/*"}],
}))
s3.create_bucket(Bucket="models")
with open(sys.argv[1], "rb") as f:
    s3.put_object(Bucket="models", Key="fashion/v1/model.pt", Body=f.read())

print(json.dumps({"endpoint": endpoint, "accessKeyId": key["AccessKeyId"],
                  "secretAccessKey": key["SecretAccessKey"]}), flush=True)
sys.stdin.read()
server.stop()
