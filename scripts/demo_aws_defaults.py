#!/usr/bin/env python3
"""Regenerate fixtures/demo/aws_defaults.json from botocore's service models.

For every List-style operation the AWS collectors call, the answer AWS gives when there is
nothing to list: the output shape's list members as empty lists, keyed the way the demo server
routes a request (X-Amz-Target for JSON protocols, `Action=` for Query, `METHOD /path` for REST).
Run it after adding a collector: `python3 scripts/demo_aws_defaults.py > fixtures/demo/aws_defaults.json`.
"""
import gzip, json, os, subprocess, sys
import botocore

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(os.path.dirname(botocore.__file__), "data")
SERVICES = ["sagemaker", "bedrock", "bedrock-agent", "sts", "organizations", "s3", "account",
            "lambda", "secretsmanager", "ssm", "ecs", "ecr"]

src = subprocess.run(["grep", "-rhoE", r"\.(list|describe|get)_[a-z_0-9]+\(", os.path.join(ROOT, "providers/aws/src")],
                     capture_output=True, text=True).stdout
used = {"".join(p.capitalize() for p in m[1:-1].split("_")) for m in src.split()}

def model(svc):
    d = os.path.join(DATA, svc)
    v = sorted(os.listdir(d))[-1]
    p = os.path.join(d, v, "service-2.json")
    if os.path.exists(p + ".gz"):
        with gzip.open(p + ".gz") as f:
            return json.load(f)
    with open(p) as f:
        return json.load(f)

out = {}
for svc in SERVICES:
    m = model(svc)
    meta, shapes = m["metadata"], m["shapes"]
    for name, op in m["operations"].items():
        shape = shapes.get(op.get("output", {}).get("shape", ""), {})
        # Lists, and Describe calls that page through a collection (SSM parameters, ECR repositories).
        pages = any(k.lower() == "nexttoken" for k in shape.get("members", {}))
        if name not in used or not (name.startswith("List") or (name.startswith("Describe") and pages)):
            continue
        body = {k: [] for k, v in shape.get("members", {}).items()
                if shapes[v["shape"]]["type"] == "list" and "location" not in v}
        proto = meta["protocol"]
        if proto in ("json",):
            key = f'{meta["targetPrefix"]}.{name}'
        elif proto == "query":
            key = f"Action={name}"
        else:
            uri = op["http"]["requestUri"].split("?")[0].rstrip("/") or "/"
            key = f'{op["http"]["method"]} {uri}'
        out[key] = body
# Bedrock answers an account with no invocation logging configured with an empty object.
out["GET /logging/modelinvocations"] = {}
json.dump(dict(sorted(out.items())), sys.stdout, indent=1)
print()
