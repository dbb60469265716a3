"""Scan benchmark: an emulated AWS organisation behind a latency-injecting proxy.

Usage: bench_scan.py AIMSCOPE_BINARY [--accounts 20] [--regions 4] [--items 25] [--latency-ms 40]
                     [--rate 0] [--runs 3] [--variant NAME=TOML ...]

moto_server (the pinned test emulator) holds an organisation of N member accounts, each with M
SageMaker models, endpoint configs, endpoints and training jobs in each of R regions, created
through boto3 as a user would. A proxy in front of it adds a fixed latency to every call (a real
AWS round trip is 20-60 ms) and, with --rate, a token bucket per (credential, region, service)
that answers like AWS when it is empty (`ThrottlingException`, HTTP 400, JSON protocol), so
the SDK's own retry runs. aimscope then scans the organisation with its default settings and
with each variant, several times, side by side.

Printed per variant (median of the runs): wall time, API calls, calls/s, the lower bound, wall
divided by bound, throttled calls, peak RSS of the aimscope process, and recall (the share of the
seeded SageMaker assets found). The bound is the larger of
  calls x latency / concurrency            (every global slot busy all the time)
  calls of the busiest scope x latency / per-scope concurrency
or, with --rate, the busiest key's calls past the burst divided by the rate;
plus the account-entry chain (GetCallerIdentity, ListAccounts, AssumeRole, ListRegions) and one
item's dependent calls (List, Describe, ListTags), where a call takes what it took through the
proxy on average (the injected latency plus moto's own time, shown as ms/call).
"""
import argparse
import asyncio
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter, defaultdict

ENTRY_CHAIN = 4  # GetCallerIdentity, ListAccounts, AssumeRole, ListRegions
DEPENDENT_CHAIN = 3  # List, then Describe, then ListTags of one item


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_moto(python):
    port = free_port()
    proc = subprocess.Popen([python, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(url + "/moto-api/", timeout=1)
            return proc, url
        except Exception:
            time.sleep(0.1)
    proc.kill()
    sys.exit("moto_server did not start")


def seed(url, accounts, regions, items):
    import boto3
    from concurrent.futures import ThreadPoolExecutor

    def client(service, region, creds=None):
        kw = dict(endpoint_url=url, region_name=region)
        if creds:
            kw.update(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                      aws_session_token=creds["SessionToken"])
        else:
            kw.update(aws_access_key_id="testing", aws_secret_access_key="testing")
        return boto3.client(service, **kw)

    org = client("organizations", "us-east-1")
    org.create_organization(FeatureSet="ALL")
    members = [org.create_account(AccountName=f"ml-{i}", Email=f"ml-{i}@example.com")["CreateAccountStatus"]["AccountId"]
               for i in range(accounts)]

    def fill(account, region):
        creds = client("sts", "us-east-1").assume_role(
            RoleArn=f"arn:aws:iam::{account}:role/AimscopeReadOnly", RoleSessionName="seed")["Credentials"]
        sm = client("sagemaker", region, creds)
        role = f"arn:aws:iam::{account}:role/sagemaker-exec"
        tags = [{"Key": "owner", "Value": "bench"}]
        for i in range(items):
            sm.create_training_job(
                TrainingJobName=f"job-{i}",
                AlgorithmSpecification={"TrainingImage": "123.dkr.ecr.us-east-1.amazonaws.com/xgb:1",
                                        "TrainingInputMode": "File"},
                RoleArn=role,
                InputDataConfig=[{"ChannelName": "train", "DataSource": {"S3DataSource": {
                    "S3DataType": "S3Prefix", "S3Uri": f"s3://data-{account}/train/{i}/"}}}],
                OutputDataConfig={"S3OutputPath": f"s3://models-{account}/out/"},
                ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 10},
                StoppingCondition={"MaxRuntimeInSeconds": 3600},
                Tags=tags)
            sm.create_model(ModelName=f"model-{i}", ExecutionRoleArn=role, Tags=tags, PrimaryContainer={
                "Image": "123.dkr.ecr.us-east-1.amazonaws.com/xgb:1",
                "ModelDataUrl": f"s3://models-{account}/out/job-{i}/output/model.tar.gz"})
            sm.create_endpoint_config(EndpointConfigName=f"config-{i}", Tags=tags, ProductionVariants=[{
                "VariantName": "v", "ModelName": f"model-{i}", "InstanceType": "ml.m5.large",
                "InitialInstanceCount": 1}])
            sm.create_endpoint(EndpointName=f"endpoint-{i}", EndpointConfigName=f"config-{i}", Tags=tags)
        return 4 * items

    with ThreadPoolExecutor(8) as pool:
        seeded = sum(pool.map(lambda ar: fill(*ar), [(a, r) for a in members for r in regions]))
    return members, seeded


class Proxy:
    """Forwards HTTP/1.1 to moto after a fixed delay; counts calls; optionally rate-limits."""

    SCOPE = re.compile(rb"Credential=([^/]+)/\d+/([^/]+)/([^/]+)/")

    def __init__(self, upstream_port, latency, rate):
        self.upstream_port, self.latency, self.rate = upstream_port, latency, rate
        self.cache, self.akid_account, self.replay, self.misses = {}, {}, False, 0
        self.admitted = Counter()  # calls let through per rate-limited key
        self.calls = 0
        self.busy = 0.0  # seconds of calls answered, summed: latency plus moto's own time
        self.per_scope = Counter()
        self.throttled = 0
        self.buckets = {}
        self.inflight = 0
        self.peak_inflight = 0

    def reset(self):
        self.calls, self.throttled, self.per_scope, self.buckets, self.busy = 0, 0, Counter(), {}, 0.0
        self.misses = 0
        self.admitted = Counter()
        self.peak_inflight = 0

    def admit(self, key, now):
        # Token bucket per key: `rate` tokens a second, burst `rate`.
        tokens, at = self.buckets.get(key, (self.rate, now))
        tokens = min(self.rate, tokens + (now - at) * self.rate)
        if tokens < 1:
            self.buckets[key] = (tokens, now)
            return False
        self.buckets[key] = (tokens - 1, now)
        return True

    async def handle(self, reader, writer):
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                chunked = False
                for line in head.split(b"\r\n"):
                    k, _, v = line.partition(b":")
                    if k.lower() == b"content-length":
                        length = int(v.strip())
                    if k.lower() == b"transfer-encoding" and b"chunked" in v.lower():
                        chunked = True
                body = b""
                if chunked:
                    while True:
                        size_line = await reader.readuntil(b"\r\n")
                        size = int(size_line.strip().split(b";")[0], 16)
                        chunk = await reader.readexactly(size + 2)
                        body += chunk[:-2]
                        if size == 0:
                            break
                    head = re.sub(rb"(?im)^transfer-encoding:[^\r\n]*\r\n", b"", head)
                    head = head[:-2] + b"Content-Length: %d\r\n\r\n" % len(body)
                elif length:
                    body = await reader.readexactly(length)
                m = self.SCOPE.search(head)
                akid, region, service = (m.group(1), m.group(2), m.group(3)) if m else (b"-", b"-", b"-")
                # Keys by account, not by access key: every scan assumes the roles anew.
                key = (self.akid_account.get(akid, akid), region, service)
                self.calls += 1
                t_in = time.monotonic()
                self.per_scope[(key[0], key[1])] += 1
                self.inflight += 1
                self.peak_inflight = max(self.peak_inflight, self.inflight)
                await asyncio.sleep(self.latency)
                self.inflight -= 1
                limited = self.rate and key[2] == b"sagemaker"
                if limited and not self.admit(key, time.monotonic()):
                    self.throttled += 1
                    msg = b'{"__type":"ThrottlingException","message":"Rate exceeded"}'
                    writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Type: application/x-amz-json-1.1\r\n"
                                 b"x-amzn-ErrorType: ThrottlingException\r\nContent-Length: %d\r\n\r\n" % len(msg) + msg)
                    await writer.drain()
                    continue
                if limited:
                    self.admitted[key] += 1
                t0 = time.monotonic()
                target = re.search(rb"(?im)^x-amz-target:([^\r\n]*)", head)
                cache_key = (key, head.split(b"\r\n", 1)[0], target.group(1) if target else b"", body)
                resp = self.cache.get(cache_key) if self.replay else None
                if resp is None:
                    self.misses += self.replay
                    resp = await self.forward(head + body)
                    if resp.startswith(b"HTTP/1.1 200") and service != b"sts":
                        self.cache[cache_key] = resp
                if service == b"sts" and b"AssumeRole" in body:
                    role = re.search(rb"RoleArn=arn%3Aaws%3Aiam%3A%3A(\d+)", body)
                    new = re.search(rb"<AccessKeyId>([^<]+)</AccessKeyId>", resp)
                    if role and new:
                        self.akid_account[new.group(1)] = role.group(1)
                self.busy += time.monotonic() - t_in
                if os.environ.get("BENCH_DEBUG") and time.monotonic() - t0 > 0.5:
                    print(f"slow upstream {time.monotonic() - t0:.1f}s: {head.split(b' ')[1][:80]!r} {key}", file=sys.stderr)
                writer.write(resp)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def forward(self, request):
        # One upstream connection per request (moto's server closes or keeps as it likes).
        r, w = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        request = re.sub(rb"(?im)^connection:[^\r\n]*\r\n", b"", request, count=1)
        head_end = request.index(b"\r\n\r\n")
        request = request[:head_end] + b"\r\nConnection: close" + request[head_end:]
        w.write(request)
        await w.drain()
        data = await r.read()
        w.close()
        return data

    def serve(self):
        port = free_port()
        loop = asyncio.new_event_loop()

        async def main():
            server = await asyncio.start_server(self.handle, "127.0.0.1", port, limit=1 << 24)
            async with server:
                await server.serve_forever()

        threading.Thread(target=lambda: loop.run_until_complete(main()), daemon=True).start()
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return f"http://127.0.0.1:{port}"
            except OSError:
                time.sleep(0.05)
        sys.exit("proxy did not start")


def scan(binary, proxy_url, config, out):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "AIMSCOPE_", "AZURE_", "GOOGLE_"))}
    env.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_REGION="us-east-1",
               AWS_ENDPOINT_URL=proxy_url, AWS_EC2_METADATA_DISABLED="true", HOME=os.path.dirname(out))
    started = time.monotonic()
    proc = subprocess.Popen([binary, "scan", "--config", config, "--out", out, "-q"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - started
    stderr = proc.stderr.read().decode(errors="replace")
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 4):
        sys.exit(f"aimscope exited {code}: {stderr[-2000:]}")
    return wall, usage.ru_maxrss / 1024


WANTED = ["sagemaker.models", "sagemaker.endpoint_configs", "sagemaker.endpoints", "sagemaker.training_jobs"]


def other_collectors(binary, tmp):
    """Every collector id but the four the estate has, from aimscope's own registry (the error
    naming the valid ids): moto lacks several operations and answers them with retried 500s,
    which would measure moto, not the scheduler."""
    bad = os.path.join(tmp, "probe.toml")
    with open(bad, "w") as f:
        f.write('[scan]\ndisabled_collectors = ["?"]\n')
    err = subprocess.run([binary, "config", "check", "--config", bad], capture_output=True, text=True).stderr
    m = re.search(r"\(valid: ([^)]*)\)", err)
    if not m:
        sys.exit(f"cannot list the collectors: {err.strip()}")
    return [c for c in m.group(1).split(", ") if c not in WANTED]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("binary")
    ap.add_argument("--accounts", type=int, default=20)
    ap.add_argument("--regions", type=int, default=4)
    ap.add_argument("--items", type=int, default=25)
    ap.add_argument("--latency-ms", type=float, default=40)
    ap.add_argument("--rate", type=float, default=0, help="requests/s per (credential, region, service); 0: none")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--variant", action="append", default=[], metavar="NAME=TOML",
                    help='extra [scan] settings, e.g. "wide=per_scope_concurrency = 16"')
    ap.add_argument("--python", default=os.environ.get("AIMSCOPE_TEST_PYTHON", sys.executable))
    a = ap.parse_args()

    all_regions = ["us-east-1", "eu-west-1", "us-west-2", "ap-southeast-2", "eu-central-1", "ap-northeast-1"]
    regions = all_regions[: a.regions]
    moto, moto_url = start_moto(a.python)
    try:
        t = time.monotonic()
        members, seeded = seed(moto_url, a.accounts, regions, a.items)
        print(f"seeded {a.accounts} accounts x {len(regions)} regions x {a.items} items x 4 kinds "
              f"= {seeded} SageMaker assets in {time.monotonic() - t:.0f} s", file=sys.stderr)
        proxy = Proxy(int(moto_url.rsplit(":", 1)[1]), a.latency_ms / 1000, a.rate)
        proxy_url = proxy.serve()
        variants = [("default", "")] + [tuple(v.split("=", 1)) for v in a.variant]
        rows = defaultdict(list)
        with tempfile.TemporaryDirectory() as tmp:
            disabled = json.dumps(other_collectors(a.binary, tmp))
            # Run -1 warms the proxy's cache of moto's answers; measured runs replay them, so a
            # call costs the injected latency, not moto's own (single-process) time.
            for run in range(-1, a.runs):
                proxy.replay = run >= 0
                for name, extra in variants:  # interleaved, so machine noise hits all alike
                    config = os.path.join(tmp, f"{name}.toml")
                    with open(config, "w") as f:
                        f.write(f'providers = ["aws"]\n[scan]\ndisabled_collectors = {disabled}\n{extra}\n'
                                f'[aws]\norganization = true\n'
                                f'regions = {json.dumps(regions)}\n')
                    out = os.path.join(tmp, f"{name}-{run}.json")
                    proxy.reset()
                    wall, rss = scan(a.binary, proxy_url, config, out)
                    with open(out) as f:
                        doc = json.load(f)
                    if os.environ.get("BENCH_DEBUG"):
                        for c in sorted(doc["coverage"], key=lambda c: -c["duration_ms"])[:8]:
                            print(f"  {c['duration_ms']:>6} ms {c['collector']} {c.get('region')} {c['status']} {c.get('error', '')[:100]}", file=sys.stderr)
                    found = sum(1 for x in doc["assets"] if x["service"] == "sagemaker"
                                and x["kind"] in ("model", "endpoint_config", "endpoint", "training_job"))
                    settings = {"concurrency": 16, "per_scope_concurrency": 4}
                    for k, v in re.findall(r"(\w+)\s*=\s*(\d+)", extra):
                        settings[k] = int(v)
                    busiest = max(proxy.per_scope.values(), default=0)
                    # The time a call really takes here: the injected latency plus moto's own.
                    per_call = proxy.busy / max(proxy.calls, 1)
                    bound = (max(proxy.calls / settings["concurrency"], busiest / settings["per_scope_concurrency"])
                             + ENTRY_CHAIN + DEPENDENT_CHAIN) * per_call
                    if a.rate:
                        # A key's calls past the burst come no faster than the rate.
                        slowest = max(proxy.admitted.values(), default=0)
                        bound = max(bound, max(slowest - a.rate, 0) / a.rate + ENTRY_CHAIN * per_call)
                    if run < 0:
                        continue
                    rows[name].append(dict(per_call=per_call * 1000, wall=wall, calls=proxy.calls, bound=bound, throttled=proxy.throttled,
                                           rss=rss, recall=found / seeded, peak=proxy.peak_inflight,
                                           misses=proxy.misses))
        med = lambda xs: statistics.median(xs)
        print(f"\n{a.accounts} accounts x {len(regions)} regions x {a.items} items, {a.latency_ms:.0f} ms latency"
              f"{f', {a.rate:g} req/s per key' if a.rate else ''}; median of {a.runs} runs\n")
        print(f"{'variant':<12} {'wall s':>7} {'calls':>6} {'calls/s':>8} {'bound s':>8} {'wall/bound':>10} "
              f"{'ms/call':>7} {'peak in flight':>14} {'throttled':>9} {'RSS MB':>7} {'recall':>6} {'to moto':>7}")
        for name, _ in variants:
            r = rows[name]
            wall = med([x["wall"] for x in r])
            calls = med([x["calls"] for x in r])
            bound = med([x["bound"] for x in r])
            print(f"{name:<12} {wall:>7.1f} {calls:>6.0f} {calls / wall:>8.0f} {bound:>8.1f} {wall / bound:>10.2f} "
                  f"{med([x['per_call'] for x in r]):>7.0f} {med([x['peak'] for x in r]):>14.0f} {med([x['throttled'] for x in r]):>9.0f} "
                  f"{med([x['rss'] for x in r]):>7.0f} {min(x['recall'] for x in r):>6.2f} "
                  f"{med([x['misses'] for x in r]):>7.0f}")
    finally:
        moto.kill()


if __name__ == "__main__":
    main()
