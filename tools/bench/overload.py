#!/usr/bin/env python3
"""Overload benchmark: the packaged runtime in a 2 GiB memory limit under 16-64 concurrent maximum-size requests.

Starts runtime/target/quarkus-app/quarkus-run.jar (build it with ./mvnw -pl runtime package -DskipTests) in its own
memory cgroup, with the JVM options the container image and the operator use, serving the free-size image model
(the worst case: the request picks the image size; each request sends the largest image the limits accept). At each
concurrency level, clients send explanations back to back for a fixed time (honouring Retry-After on 429) while a
prober calls /q/health/live every 200 ms. Then SIGTERM arrives under the heaviest load and the time to exit is
measured. Prints figures; asserts nothing about speed. Exits 1 if the runtime died (OOM) or a 5xx other than
shutdown's 503 or a deadline's 504 came back.

Traffic goes to 127.0.0.1 only; every loop is bounded in time and count.
usage: sudo tools/bench/overload.py [--levels 16,32,64] [--seconds 60] [--memory 2g]
"""
import argparse
import base64
import http.client
import json
import os
import signal
import struct
import subprocess
import sys
import threading
import time
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
JAR = os.path.join(ROOT, "runtime/target/quarkus-app/quarkus-run.jar")
MODEL = os.path.join(ROOT, "runtime/src/test/resources/models/fcn_image")
PORT = 18080
# as the image and the operator set them (pom.xml's Jib environment, the operator's DesiredDeployment)
JVM = "-XX:MaxRAMPercentage=40 -XX:+ExitOnOutOfMemoryError -Dorg.bytedeco.javacpp.cachedir=/tmp/javacpp-bench"


def png(w, h):
    """A smooth RGB gradient: compresses well (fits the 1.5 MB body limit) but is a real w x h image."""
    rows = []
    for y in range(h):
        row = bytearray([0])
        for x in range(w):
            row += bytes(((x * 255) // w, (y * 255) // h, ((x + y) * 127) // (w + h)))
        rows.append(bytes(row))
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b""))


class Cgroup:
    """A memory cgroup (v2 where delegated, else v1) the runtime runs in: the pod's memory limit."""

    def __init__(self, limit):
        self.v2 = os.path.exists("/sys/fs/cgroup/cgroup.controllers")
        base = "/sys/fs/cgroup" if self.v2 else "/sys/fs/cgroup/memory"
        self.path = os.path.join(base, f"explainable-overload-{os.getpid()}")
        os.makedirs(self.path, exist_ok=True)
        self.write("memory.max" if self.v2 else "memory.limit_in_bytes", str(limit))
        if not self.v2:
            try:
                self.write("memory.memsw.limit_in_bytes", str(limit))  # no swap escape, where accounted
            except OSError:
                pass

    def write(self, name, value):
        with open(os.path.join(self.path, name), "w") as f:
            f.write(value)

    def read(self, name):
        try:
            with open(os.path.join(self.path, name)) as f:
                return f.read()
        except OSError:
            return ""

    def peak(self):
        v = self.read("memory.peak" if self.v2 else "memory.max_usage_in_bytes").strip()
        return int(v) if v.isdigit() else -1

    def oom_kills(self):
        text = self.read("memory.events" if self.v2 else "memory.oom_control")
        for line in text.splitlines():
            if line.startswith("oom_kill "):
                return int(line.split()[1])
        return 0

    def remove(self):
        try:
            os.rmdir(self.path)
        except OSError:
            pass


def start_runtime(cgroup, memory):
    env = dict(os.environ, EXPLAIN_MODEL_DIR=MODEL, EXPLAIN_MODEL_NAME="fcn", QUARKUS_HTTP_PORT=str(PORT),
               JAVA_TOOL_OPTIONS=JVM, TF_CPP_MIN_LOG_LEVEL="2", MALLOC_ARENA_MAX="2")
    log = open("/tmp/explainable-overload-runtime.log", "w")
    # joins the cgroup before exec, so the JVM sizes its heap from the limit as in a pod
    proc = subprocess.Popen(["java", "-jar", JAR], env=env, stdout=log, stderr=subprocess.STDOUT,
                            preexec_fn=lambda: cgroup.write("cgroup.procs", str(os.getpid())))
    deadline = time.time() + 180
    while time.time() < deadline:
        if proc.poll() is not None:
            sys.exit(f"runtime exited during start ({proc.returncode}); see /tmp/explainable-overload-runtime.log")
        try:
            c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            c.request("GET", "/q/health/ready")
            if c.getresponse().status == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.5)
    proc.kill()
    sys.exit("runtime not ready within 180 s")


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.statuses = {}
        self.latencies = []
        self.errors = 0

    def add(self, status, seconds):
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if status == 200:
                self.latencies.append(seconds)


def client(body, stop, stats, max_requests):
    for _ in range(max_requests):
        if stop.is_set():
            return
        t = time.time()
        try:
            c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
            c.request("POST", "/v1/projects/p/models/fcn:explain", body, {"Content-Type": "application/json"})
            r = c.getresponse()
            r.read()
            stats.add(r.status, time.time() - t)
            c.close()
            if r.status in (429, 503):
                stop.wait(float(r.getheader("Retry-After") or 1))
        except OSError:
            with stats.lock:
                stats.errors += 1
            stop.wait(0.5)


def prober(stop, samples):
    while not stop.is_set():
        t = time.time()
        try:
            c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=5)
            c.request("GET", "/q/health/live")
            ok = c.getresponse().status == 200
        except OSError:
            ok = False
        samples.append((time.time() - t, ok))
        stop.wait(0.2)


def pct(values, p):
    if not values:
        return float("nan")
    v = sorted(values)
    return v[min(len(v) - 1, int(p / 100 * len(v)))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--levels", default="16,32,64")
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--memory", default="2g")
    ap.add_argument("--side", type=int, default=591,
                    help="image side: 591^2 x 3 values is the most one run may take (explain.limits.max-batch-elements)")
    args = ap.parse_args()
    units = {"g": 1 << 30, "m": 1 << 20}
    limit = int(args.memory[:-1]) * units[args.memory[-1].lower()]
    if not os.path.exists(JAR):
        sys.exit(f"build the runtime first: ./mvnw -pl runtime package -DskipTests ({JAR} missing)")
    image = png(args.side, args.side)
    body = json.dumps({"instances": [{"b64": base64.b64encode(image).decode()}]}).encode()
    print(f"# overload benchmark, {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, memory limit {args.memory}")
    print(f"# request: one {args.side}x{args.side} PNG ({len(body)} bytes) to IG-50 on the free-size FCN")
    cgroup = Cgroup(limit)
    proc = start_runtime(cgroup, limit)
    failed = False
    try:
        print("| clients | s | 200 | 429 | 503 | 504 | other | conn err | p50 s | p99 s | live max ms | live fails | peak MiB |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        levels = [int(x) for x in args.levels.split(",")]
        for i, n in enumerate(levels):
            last = i == len(levels) - 1
            stats, samples, stop = Stats(), [], threading.Event()
            threads = [threading.Thread(target=client, args=(body, stop, stats, 10_000)) for _ in range(n)]
            probe = threading.Thread(target=prober, args=(stop, samples))
            for t in threads + [probe]:
                t.start()
            time.sleep(args.seconds)
            # the level's figures, before any shutdown
            with stats.lock:
                s = dict(stats.statuses)
                latencies = list(stats.latencies)
                errors = stats.errors
            live = [d for d, ok in samples]
            fails = sum(1 for d, ok in samples if not ok)
            other = sum(v for k, v in s.items() if k not in (200, 429, 503, 504))
            print(f"| {n} | {args.seconds} | {s.get(200, 0)} | {s.get(429, 0)} | {s.get(503, 0)} | {s.get(504, 0)} | "
                  f"{other} | {errors} | {pct(latencies, 50):.1f} | {pct(latencies, 99):.1f} | "
                  f"{max(live) * 1000 if live else float('nan'):.0f} | {fails} | {cgroup.peak() >> 20} |", flush=True)
            if other or fails or (live and max(live) >= 1.0):
                print(f"  unexpected: statuses {s}, liveness max {max(live) if live else None} s, {fails} failed")
                failed = True
            exit_s = None
            if last:
                # SIGTERM under the heaviest load: the pod's grace period is 35 s
                before = dict(s)
                t0 = time.time()
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    proc.kill()
                exit_s = time.time() - t0
            stop.set()
            for t in threads + [probe]:
                t.join(timeout=150)
            if exit_s is not None:
                after = {k: v - before.get(k, 0) for k, v in stats.statuses.items() if v - before.get(k, 0)}
                print(f"\nSIGTERM under {n} clients: exited after {exit_s:.1f} s with code {proc.returncode} "
                      f"(grace period 35 s); answers after SIGTERM {after}; OOM kills in the cgroup: "
                      f"{cgroup.oom_kills()}")
                if exit_s > 35 or cgroup.oom_kills() > 0:
                    failed = True
            elif proc.poll() is not None:
                print(f"runtime died with code {proc.returncode}; OOM kills: {cgroup.oom_kills()}")
                failed = True
                break
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        cgroup.remove()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
