#!/usr/bin/env python3
"""Agent soak: does `aimscope agent` keep a steady memory footprint over many cycles?

Serves a GCP estate in Google's REST JSON from a local stand-in (127.0.0.1 only) with
PROJECTS x MODELS Vertex AI models whose labels change every cycle (so every cycle writes
deltas and history), runs the agent binary with a 1 s interval, and samples the agent's
resident memory (VmRSS, /proc) after every recorded scan. Prints the per-cycle samples, the
median RSS of the early and late cycles and their ratio, and the history file's size.

Usage: scripts/soak.py BINARY [--cycles 40] [--projects 4] [--models 500]
"""

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STATE = {"requests": 0}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StandIn(BaseHTTPRequestHandler):
    projects = []
    models = 0

    def log_message(self, *_):
        pass

    def reply(self, body, code=200):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length") or 0))
        if self.path.startswith("/token"):
            return self.reply({"access_token": "soak-token", "expires_in": 3599, "token_type": "Bearer"})
        self.reply({"error": {"code": 404, "message": "not found", "status": "NOT_FOUND"}}, 404)

    def do_GET(self):
        path = self.path.split("?")[0]
        parts = path.strip("/").split("/")
        if path.endswith("services:batchGet"):
            return self.reply({"services": [
                {"name": "projects/1/services/aiplatform.googleapis.com", "state": 2},
                {"name": "projects/1/services/generativelanguage.googleapis.com", "state": 2}]})
        if len(parts) == 6 and parts[5] == "models":
            STATE["requests"] += 1
            rev = STATE["requests"] // len(self.projects)
            project, location = parts[2], parts[4]
            # Every tenth model changes its labels each cycle.
            return self.reply({"models": [
                {"name": f"projects/{project}/locations/{location}/models/{i}", "displayName": f"model-{i}",
                 "versionId": "1", "createTime": "2026-01-10T10:00:00Z",
                 "artifactUri": f"gs://{project}-artifacts/model-{i}/",
                 "labels": {"owner": "team-a", "rev": str(rev if i % 10 == 0 else 0)}}
                for i in range(self.models)]})
        if path.startswith("/storage/v1/b/"):
            name = parts[-1]
            return self.reply({"kind": "storage#bucket", "name": name, "id": name, "location": "US",
                               "labels": {"data-classification": "internal"}})
        return self.reply({})


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def scans(port):
    try:
        text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    except OSError:
        return -1
    total = 0
    for line in text.splitlines():
        if line.startswith("aimscope_scans_total{"):
            total += int(float(line.rsplit(" ", 1)[1]))
    return total


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--cycles", type=int, default=40)
    ap.add_argument("--projects", type=int, default=4)
    ap.add_argument("--models", type=int, default=500)
    a = ap.parse_args()

    StandIn.projects = [f"soak-{i:03d}" for i in range(a.projects)]
    StandIn.models = a.models
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    uri = f"http://127.0.0.1:{server.server_address[1]}"
    work = tempfile.mkdtemp(prefix="aimscope-soak-")
    adc = os.path.join(work, "adc.json")
    with open(adc, "w") as f:
        json.dump({"type": "authorized_user", "client_id": "c", "client_secret": "s", "refresh_token": "r",
                   "token_uri": f"{uri}/token"}, f)
    port = free_port()
    cfg = os.path.join(work, "aimscope.toml")
    eps = "\n".join(f'{k} = "{uri}"' for k in ["aiplatform_endpoint", "service_usage_endpoint",
                    "secret_manager_endpoint", "run_endpoint", "functions_endpoint", "storage_endpoint",
                    "bigquery_endpoint"])
    with open(cfg, "w") as f:
        f.write(f'providers = ["gcp"]\n[gcp]\nprojects = {json.dumps(StandIn.projects)}\n'
                f'locations = ["us-central1"]\n{eps}\n'
                f'[agent]\ninterval = "1s"\njitter = "0s"\nmetrics_listen = "127.0.0.1:{port}"\n'
                f'history = "{work}/history.db"\n')
    env = {"PATH": "/usr/bin:/bin", "HOME": work, "GOOGLE_APPLICATION_CREDENTIALS": adc, "RUST_LOG": "warn"}
    agent = subprocess.Popen([a.binary, "agent", "--config", cfg, "--out", f"{work}/inventory.json"], env=env)
    samples = []
    seen = 0
    deadline = time.time() + 60 + a.cycles * 30
    try:
        while seen < a.cycles and time.time() < deadline:
            if agent.poll() is not None:
                sys.exit(f"the agent exited with {agent.returncode}")
            n = scans(port)
            if n > seen:
                seen = n
                samples.append((seen, rss_kib(agent.pid)))
                db = os.path.getsize(os.path.join(work, "history.db")) / 1048576
                print(f"cycle {seen:3d}  rss {samples[-1][1] / 1024:8.1f} MiB  history {db:6.1f} MiB", flush=True)
            time.sleep(0.2)
    finally:
        agent.send_signal(signal.SIGTERM)
        agent.wait(timeout=60)
        server.shutdown()
    if len(samples) < 10:
        sys.exit("too few cycles to judge")
    k = max(3, len(samples) // 5)
    early = statistics.median(r for _, r in samples[2:2 + k])
    late = statistics.median(r for _, r in samples[-k:])
    assets = a.projects * (a.models + 2) + a.projects
    print(f"\n{a.projects} projects x {a.models} models (~{assets} assets), {len(samples)} cycles")
    print(f"median RSS cycles 3-{2 + k}: {early / 1024:.1f} MiB; last {k}: {late / 1024:.1f} MiB; "
          f"ratio {late / early:.2f}")
    print(f"history.db: {os.path.getsize(os.path.join(work, 'history.db')) / 1048576:.1f} MiB")


if __name__ == "__main__":
    main()
