#!/usr/bin/env python3
"""Overload benchmark: the packaged runtime in a 2 GiB memory limit under connection floods and 16-64 concurrent
maximum-size requests.

Starts runtime/target/quarkus-app/quarkus-run.jar (build it with ./mvnw -pl contract,runtime package -DskipTests) in
its own memory cgroup, with the JVM options the container image and the operator use, serving the free-size image
model (the worst case: the request picks the image size). Throughout the run:
  - probes: GET /q/health/ready and GET /q/health/live every 200 ms each, on the management port, each on a new
    connection (Connection: close) as the kubelet opens them, 5 s timeout (the operator's);
  - a witness: another client, at 127.0.0.2, sends a valid :predict, then a valid :explain, ... every 500 ms, each on
    a new connection (10 s timeout): is a client that is not flooding still answered on the API port?
  - the cgroup's memory and the JVM heap (/q/metrics on the management port, every 2 s).
Phases, each bounded in time and in connections:
  a. 250 slow clients (from 127.0.0.1): headers and a few bytes of a 1,000-byte body, then half of them trickle one
     byte every 2 s and half send nothing more; each reconnects when its connection is closed;
  b. 200 busy keep-alive clients (from 127.0.0.3) sending a valid small :predict as fast as they are answered,
     reconnecting when closed (as `wrk -c200` does);
  c. a and b together;
  d. a raw TCP flood (from 127.0.0.4): 1,100 connections (more than quarkus.http.limits.max-connections, 1024) opened
     and held without sending a byte; one closed by the server is opened again after 100 ms;
  then the load levels: N clients (from 127.0.0.1) sending the largest explanation the limits accept back to back,
  honouring Retry-After; SIGTERM under the heaviest level, and the time to exit.
The flood clients run in a process of their own at nice 10 (asyncio), so that on a small machine the load generator
yields the CPU to the runtime, the probes and the witness rather than the other way round.

Prints figures; asserts nothing about speed. Exits 1 if the runtime died (OOM), a 5xx other than 503 (overload,
shutdown) or 504 (deadline) came back, or a probe failed or took 1 s or more.

Traffic goes to 127.0.0.1 only, from loopback addresses 127.0.0.x only; every loop is bounded in time and count.
usage: sudo tools/bench/overload.py [--phases a,b,c,d] [--flood-seconds 35] [--levels 16,32,64] [--seconds 30]
                                    [--memory 2g]
"""
import argparse
import asyncio
import base64
import collections
import http.client
import json
import multiprocessing
import os
import resource
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
HOST = "127.0.0.1"
PORT = 18080
MANAGEMENT_PORT = PORT + 1
# client (source) addresses: all loopback
LOAD_FROM = "127.0.0.1"
SLOW_FROM = "127.0.0.1"
WITNESS_FROM = "127.0.0.2"
BUSY_FROM = "127.0.0.3"
RAW_FROM = "127.0.0.4"
EXPLAIN = "/v1/projects/p/models/fcn:explain"
PREDICT = "/v1/projects/p/models/fcn:predict"
# as the image and the operator set them (pom.xml's Jib environment, the operator's DesiredDeployment)
JVM = "-XX:MaxRAMPercentage=40 -XX:+ExitOnOutOfMemoryError -Dorg.bytedeco.javacpp.cachedir=/tmp/javacpp-bench"
# bounds of every flood client, per phase
MAX_CONNECTIONS_PER_CLIENT = 5_000
MAX_RAW_OPENS = 20_000


def loopback(address):
    if not address.startswith("127.0.0."):
        raise SystemExit(f"refusing to send to or from {address}: loopback 127.0.0.x only")
    return address


for _a in (HOST, LOAD_FROM, SLOW_FROM, WITNESS_FROM, BUSY_FROM, RAW_FROM):
    loopback(_a)


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


def instances(side):
    return json.dumps({"instances": [{"b64": base64.b64encode(png(side, side)).decode()}]}).encode()


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

    def _int(self, name):
        v = self.read(name).strip()
        return int(v) if v.isdigit() else -1

    def peak(self):
        """Highest usage since the start (v1: since the last reset_peak), page cache included."""
        return self._int("memory.peak" if self.v2 else "memory.max_usage_in_bytes")

    def current(self):
        return self._int("memory.current" if self.v2 else "memory.usage_in_bytes")

    def reset_peak(self):
        """v1 only: the next peak() is the highest usage from now on. Returns whether it could."""
        if self.v2:
            return False
        try:
            self.write("memory.max_usage_in_bytes", "0")
            return True
        except OSError:
            return False

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


def start_runtime(cgroup):
    env = dict(os.environ, EXPLAIN_MODEL_DIR=MODEL, EXPLAIN_MODEL_NAME="fcn", QUARKUS_HTTP_PORT=str(PORT),
               QUARKUS_MANAGEMENT_PORT=str(MANAGEMENT_PORT), JAVA_TOOL_OPTIONS=JVM, TF_CPP_MIN_LOG_LEVEL="2",
               MALLOC_ARENA_MAX="2")
    log = open("/tmp/explainable-overload-runtime.log", "w")
    # joins the cgroup before exec, so the JVM sizes its heap from the limit as in a pod
    proc = subprocess.Popen(["java", "-jar", JAR], env=env, stdout=log, stderr=subprocess.STDOUT,
                            preexec_fn=lambda: cgroup.write("cgroup.procs", str(os.getpid())))
    deadline = time.time() + 180
    while time.time() < deadline:
        if proc.poll() is not None:
            sys.exit(f"runtime exited during start ({proc.returncode}); see /tmp/explainable-overload-runtime.log")
        try:
            c = http.client.HTTPConnection(HOST, MANAGEMENT_PORT, timeout=2)
            c.request("GET", "/q/health/ready")
            if c.getresponse().status == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.5)
    proc.kill()
    sys.exit("runtime not ready within 180 s")


def pct(values, p):
    if not values:
        return float("nan")
    v = sorted(values)
    return v[min(len(v) - 1, int(p / 100 * len(v)))]


def counted(tally):
    """{status or outcome: n} as 'k × n, ...', statuses first."""
    items = sorted(tally.items(), key=lambda kv: (not isinstance(kv[0], int), str(kv[0])))
    return ", ".join(f"{k} × {v}" for k, v in items if v and not str(k).startswith("_")) or "none"


# ---------------------------------------------------------------------------------------------------------------
# What runs the whole time: probes, the witness, memory. Samples carry their start time; a phase takes its window.

class Monitor:
    def __init__(self, cgroup, predict_body, explain_body):
        self.cgroup = cgroup
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.probes = []     # (t, path, seconds, ok, what)
        self.witness = []    # (t, verb, seconds, status or None, what)
        self.memory = []     # (t, cgroup bytes)
        self.heap = []       # (t, heap bytes)
        self.bodies = {"predict": predict_body, "explain": explain_body}
        self.threads = [threading.Thread(target=self.prober, args=(p,), daemon=True)
                        for p in ("/q/health/ready", "/q/health/live")]
        self.threads += [threading.Thread(target=self.witnessing, daemon=True),
                         threading.Thread(target=self.sampling, daemon=True)]

    def start(self):
        for t in self.threads:
            t.start()

    def close(self):
        self.stop.set()
        for t in self.threads:
            t.join(timeout=15)

    def prober(self, path):
        """As the kubelet probes: a new connection each time, Connection: close, 5 s timeout (the operator's)."""
        while not self.stop.is_set():
            t = time.time()
            what = "200"
            try:
                c = http.client.HTTPConnection(HOST, MANAGEMENT_PORT, timeout=5)
                c.request("GET", path, headers={"Connection": "close", "User-Agent": "kube-probe/1.31"})
                r = c.getresponse()
                r.read()
                c.close()
                ok = r.status == 200
                what = str(r.status)
            except (OSError, http.client.HTTPException) as e:
                ok, what = False, type(e).__name__
            with self.lock:
                self.probes.append((t, path, time.time() - t, ok, what))
            self.stop.wait(max(0.0, 0.2 - (time.time() - t)))

    def witnessing(self):
        """A client at another address: a valid :predict or :explain every 500 ms, each on a new connection."""
        verbs = ("predict", "explain")
        i = 0
        while not self.stop.is_set():
            verb = verbs[i % 2]
            i += 1
            t = time.time()
            status, what = None, ""
            try:
                c = http.client.HTTPConnection(HOST, PORT, timeout=10, source_address=(WITNESS_FROM, 0))
                c.request("POST", PREDICT if verb == "predict" else EXPLAIN, self.bodies[verb],
                          {"Content-Type": "application/json", "Connection": "close"})
                r = c.getresponse()
                r.read()
                c.close()
                status = r.status
            except (OSError, http.client.HTTPException) as e:
                what = type(e).__name__
            with self.lock:
                self.witness.append((t, verb, time.time() - t, status, what))
            self.stop.wait(max(0.0, 0.5 - (time.time() - t)))

    def sampling(self):
        last_heap = 0.0
        while not self.stop.is_set():
            t = time.time()
            m = self.cgroup.current()
            with self.lock:
                self.memory.append((t, m))
            if t - last_heap >= 2.0:
                last_heap = t
                h = self.heap_used()
                if h is not None:
                    with self.lock:
                        self.heap.append((t, h))
            self.stop.wait(0.2)

    @staticmethod
    def heap_used():
        try:
            c = http.client.HTTPConnection(HOST, MANAGEMENT_PORT, timeout=5)
            c.request("GET", "/q/metrics", headers={"Connection": "close"})
            text = c.getresponse().read().decode()
            c.close()
        except (OSError, http.client.HTTPException):
            return None
        total, seen = 0.0, False
        for line in text.splitlines():
            if line.startswith("jvm_memory_used_bytes{") and 'area="heap"' in line:
                total += float(line.rsplit(" ", 1)[1])
                seen = True
        return int(total) if seen else None

    def window(self, t0, t1):
        with self.lock:
            probes = [s for s in self.probes if t0 <= s[0] < t1]
            witness = [s for s in self.witness if t0 <= s[0] < t1]
            memory = [m for t, m in self.memory if t0 <= t < t1]
            heap = [h for t, h in self.heap if t0 <= t < t1]
        return Window(probes, witness, memory, heap)


class Window:
    def __init__(self, probes, witness, memory, heap):
        self.probes, self.witness, self.memory, self.heap = probes, witness, memory, heap

    def probe_columns(self):
        d = [s[2] * 1000 for s in self.probes]
        fails = [s for s in self.probes if not s[3]]
        return (f"{len(self.probes)} | {pct(d, 50):.0f} | {pct(d, 99):.0f} | {max(d) if d else float('nan'):.0f} | "
                f"{len(fails)}")

    def probe_trouble(self):
        """Failed probes or ones that took 1 s or more: what a kubelet with a 1 s timeout would count."""
        return [s for s in self.probes if not s[3] or s[2] >= 1.0]

    def witness_columns(self):
        answered = [s for s in self.witness if s[3] is not None]
        ok = [s for s in answered if s[3] == 200]
        d = [s[2] * 1000 for s in answered]
        return (f"{len(self.witness)} | {len(ok)} | {len(answered) - len(ok)} | {len(self.witness) - len(answered)} | "
                f"{pct(d, 50):.0f} | {max(d) if d else float('nan'):.0f}")

    def witness_detail(self):
        t = collections.Counter()
        for _, verb, _, status, what in self.witness:
            t[f"{verb} {status if status is not None else what}"] += 1
        return ", ".join(f"{k} × {v}" for k, v in sorted(t.items())) or "none"

    def memory_columns(self, peak):
        heap = max(self.heap) >> 20 if self.heap else -1
        return f"{peak >> 20} | {heap}"


# ---------------------------------------------------------------------------------------------------------------
# The flood clients: asyncio, in a process of their own.

async def read_response(reader):
    """One HTTP/1.1 response: (status, whether the server closes the connection after it)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, sep, v = line.partition(":")
        if sep:
            headers[k.strip().lower()] = v.strip()
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0].strip(), 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    return status, headers.get("connection", "").lower() == "close"


async def connect(source, tally):
    try:
        conn = await asyncio.wait_for(
            asyncio.open_connection(HOST, PORT, local_addr=(loopback(source), 0)), 5)
        tally["connections"] += 1
        return conn
    except (OSError, asyncio.TimeoutError) as e:
        tally[f"connect failed ({type(e).__name__})"] += 1
        await asyncio.sleep(0.05)
        return None


async def connections(source, until, tally):
    """A client's connections from source, one after the other: at most MAX_CONNECTIONS_PER_CLIENT, none opened
    after until; a failed connect counts as one."""
    for _ in range(MAX_CONNECTIONS_PER_CLIENT):
        if time.monotonic() >= until:
            return
        conn = await connect(source, tally)
        if conn is not None:
            yield conn


async def busy_client(request, until, tally):
    async for r, w in connections(BUSY_FROM, until, tally):
        try:
            while time.monotonic() < until:
                w.write(request)
                status, close = await read_response(r)
                tally[status] += 1
                if close:
                    break
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError, IndexError):
            tally["closed without an answer"] += 1
        finally:
            w.close()


async def slow_client(head, trickle, until, tally):
    async for r, w in connections(SLOW_FROM, until, tally):
        answer = asyncio.ensure_future(read_response(r))
        try:
            w.write(head)
            while not answer.done():
                await asyncio.wait({answer}, timeout=2.0)
                if not answer.done() and trickle:
                    w.write(b" ")  # one more byte of a body that never completes
            status, _ = answer.result()
            tally[status] += 1
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError, IndexError):
            tally["closed without an answer"] += 1
        finally:
            if not answer.done():
                answer.cancel()
            w.close()


async def raw_flood(n, until, tally):
    held = [0]

    async def hold(i):
        await asyncio.sleep(i * 0.001)  # 1,100 connects over ~1 s
        while time.monotonic() < until and tally["_opens"] < MAX_RAW_OPENS:
            tally["_opens"] += 1
            conn = await connect(RAW_FROM, tally)
            if conn is None:
                continue
            r, w = conn
            held[0] += 1
            tally["most held at once"] = max(tally["most held at once"], held[0])
            try:
                data = await r.read(1)  # nothing is sent: this returns only when the server closes the connection
                tally["closed by the server" if not data else "answered"] += 1
            except OSError:
                tally["reset by the server"] += 1
            finally:
                held[0] -= 1
                w.close()
            await asyncio.sleep(0.1)

    tasks = [asyncio.ensure_future(hold(i)) for i in range(n)]
    await asyncio.sleep(max(0.0, until - time.monotonic()))
    tally["held at the end"] = held[0]
    return tasks


async def flood(kinds, seconds, args, predict_body):
    until = time.monotonic() + seconds
    tallies = {k: collections.Counter() for k in kinds}
    tasks = []
    if "slow" in kinds:
        head = (f"POST {EXPLAIN} HTTP/1.1\r\nHost: {HOST}:{PORT}\r\nContent-Type: application/json\r\n"
                f"Content-Length: 1000\r\n\r\n{{\"inst").encode()
        tasks += [asyncio.ensure_future(slow_client(head, i % 2 == 0, until, tallies["slow"]))
                  for i in range(args.slow)]
    if "busy" in kinds:
        request = (f"POST {PREDICT} HTTP/1.1\r\nHost: {HOST}:{PORT}\r\nContent-Type: application/json\r\n"
                   f"Content-Length: {len(predict_body)}\r\n\r\n").encode() + predict_body
        tasks += [asyncio.ensure_future(busy_client(request, until, tallies["busy"])) for _ in range(args.busy)]
    if "raw" in kinds:
        tasks += await raw_flood(args.raw, until, tallies["raw"])
    else:
        await asyncio.sleep(max(0.0, until - time.monotonic()))
    # the phase is over: whatever is still waiting is dropped (its connection closed), not counted
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return {k: dict(v) for k, v in tallies.items()}


def flood_process(kinds, seconds, args, predict_body, results):
    os.nice(10)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    results.put(asyncio.run(flood(kinds, seconds, args, predict_body)))


# ---------------------------------------------------------------------------------------------------------------

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
            c = http.client.HTTPConnection(HOST, PORT, timeout=120, source_address=(LOAD_FROM, 0))
            c.request("POST", EXPLAIN, body, {"Content-Type": "application/json"})
            r = c.getresponse()
            r.read()
            stats.add(r.status, time.time() - t)
            c.close()
            if r.status in (429, 503):
                stop.wait(float(r.getheader("Retry-After") or 1))
        except (OSError, http.client.HTTPException):
            with stats.lock:
                stats.errors += 1
            stop.wait(0.5)


def settle(predict_body, seconds=20):
    """After a phase: until a :predict from the witness' address is answered 200 (at most `seconds`)."""
    end = time.time() + seconds
    while time.time() < end:
        try:
            c = http.client.HTTPConnection(HOST, PORT, timeout=5, source_address=(WITNESS_FROM, 0))
            c.request("POST", PREDICT, predict_body, {"Content-Type": "application/json", "Connection": "close"})
            r = c.getresponse()
            r.read()
            c.close()
            if r.status == 200:
                return
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(0.5)


PHASES = {
    "a": ("a: 250 slow", ("slow",)),
    "b": ("b: 200 busy", ("busy",)),
    "c": ("c: 250 slow + 200 busy", ("slow", "busy")),
    "d": ("d: raw TCP flood", ("raw",)),
}
WARM_UP_S = 2.0  # a phase's figures start this long after its clients do


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--phases", default="a,b,c,d", help="connection floods to run: a,b,c,d (none: '')")
    ap.add_argument("--flood-seconds", type=int, default=35,
                    help="per flood phase: past the body timeout (30 s), so the slow clients' 408s show")
    ap.add_argument("--slow", type=int, default=250)
    ap.add_argument("--busy", type=int, default=200)
    ap.add_argument("--raw", type=int, default=1100, help="raw TCP connections held in phase d")
    ap.add_argument("--levels", default="16,32,64")
    ap.add_argument("--seconds", type=int, default=30, help="per load level")
    ap.add_argument("--memory", default="2g")
    ap.add_argument("--side", type=int, default=591,
                    help="image side: 591^2 x 3 values is the most one run may take (explain.limits.max-batch-elements)")
    args = ap.parse_args()
    units = {"g": 1 << 30, "m": 1 << 20}
    limit = int(args.memory[:-1]) * units[args.memory[-1].lower()]
    if not os.path.exists(JAR):
        sys.exit(f"build the runtime first: ./mvnw -pl contract,runtime package -DskipTests ({JAR} missing)")
    phases = [p for p in args.phases.split(",") if p]
    for p in phases:
        if p not in PHASES:
            sys.exit(f"unknown phase {p}: a, b, c or d")
    body = instances(args.side)
    small = instances(64)
    started = time.time()
    print(f"# overload benchmark, {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, memory limit {args.memory}, "
          f"load average at start {os.getloadavg()[0]:.2f}")
    print(f"# heavy request: one {args.side}x{args.side} PNG ({len(body)} bytes) to IG-50 on the free-size FCN; "
          f"small requests (busy clients, witness): one 64x64 PNG ({len(small)} bytes)")
    print(f"# API port {PORT}, management port {MANAGEMENT_PORT}; slow clients from {SLOW_FROM}, busy from "
          f"{BUSY_FROM}, raw flood from {RAW_FROM}, load levels from {LOAD_FROM}, witness from {WITNESS_FROM}")
    cgroup = Cgroup(limit)
    proc = start_runtime(cgroup)
    print(f"# runtime ready after {time.time() - started:.0f} s")
    monitor = Monitor(cgroup, small, small)
    monitor.start()
    exact_peak = cgroup.reset_peak()
    peak_note = ("the cgroup's peak within the phase (page cache included)" if exact_peak
                 else "the cgroup's peak since the start (page cache included)")
    failed = False
    probe_head = "probes | probe p50 ms | probe p99 ms | probe max ms | probe fails"
    witness_head = "witness sent | witness 200 | witness other answers | witness no answer | witness p50 ms | witness max ms"
    try:
        if phases:
            print(f"\n## connection floods ({args.flood_seconds} s each; figures from {WARM_UP_S:.0f} s in; "
                  f"peak MiB: {peak_note}; heap MiB: the most JVM heap in use, sampled every 2 s)\n")
            print(f"| phase | {probe_head} | {witness_head} | peak MiB | heap MiB |")
            print("|---" * 14 + "|")
            details = []
            for p in phases:
                name, kinds = PHASES[p]
                cgroup.reset_peak()
                ctx = multiprocessing.get_context("spawn")
                results = ctx.Queue()
                t0 = time.time()
                flooder = ctx.Process(target=flood_process,
                                      args=(kinds, args.flood_seconds, args, small, results), daemon=True)
                flooder.start()
                try:
                    tallies = results.get(timeout=args.flood_seconds + 60)
                except Exception:  # noqa: BLE001 - the figures say the flood did not report
                    tallies = {"flood": {"did not report": 1}}
                t1 = time.time()
                flooder.join(timeout=10)
                if flooder.is_alive():
                    flooder.kill()
                w = monitor.window(t0 + WARM_UP_S, t1)
                print(f"| {name} | {w.probe_columns()} | {w.witness_columns()} | "
                      f"{w.memory_columns(cgroup.peak())} |", flush=True)
                details.append(f"- {name}: " + "; ".join(f"{k}: {counted(v)}" for k, v in tallies.items())
                               + f"; witness: {w.witness_detail()}")
                server_errors = {s: n for v in tallies.values() for s, n in v.items()
                                 if isinstance(s, int) and s >= 500 and s not in (503, 504)}
                server_errors.update({f"witness {s[3]}": 1 for s in w.witness
                                      if s[3] is not None and s[3] >= 500 and s[3] not in (503, 504)})
                trouble = w.probe_trouble()
                if server_errors or trouble:
                    details.append(f"  unexpected: 5xx {server_errors}; probes failed or >= 1 s: "
                                   f"{[(s[1], round(s[2], 3), s[4]) for s in trouble][:10]}")
                    failed = True
                if proc.poll() is not None:
                    details.append(f"  runtime died with code {proc.returncode}; OOM kills: {cgroup.oom_kills()}")
                    failed = True
                    break
                settle(small)
            print("\nWhat the flood clients and the witness got:")
            print("\n".join(details), flush=True)

        if proc.poll() is None and args.levels:
            print(f"\n## load levels ({args.seconds} s each; the largest explanation, back to back, honouring "
                  f"Retry-After)\n")
            print(f"| clients | s | 200 | 429 | 503 | 504 | other | conn err | p50 s | p99 s | {probe_head} | "
                  f"{witness_head} | peak MiB | heap MiB |")
            print("|---" * 24 + "|")
            levels = [int(x) for x in args.levels.split(",")]
            for i, n in enumerate(levels):
                last = i == len(levels) - 1
                cgroup.reset_peak()
                stats, stop = Stats(), threading.Event()
                threads = [threading.Thread(target=client, args=(body, stop, stats, 10_000)) for _ in range(n)]
                t0 = time.time()
                for t in threads:
                    t.start()
                time.sleep(args.seconds)
                # the level's figures, before any shutdown
                with stats.lock:
                    s = dict(stats.statuses)
                    latencies = list(stats.latencies)
                    errors = stats.errors
                w = monitor.window(t0, time.time())
                other = sum(v for k, v in s.items() if k not in (200, 429, 503, 504))
                print(f"| {n} | {args.seconds} | {s.get(200, 0)} | {s.get(429, 0)} | {s.get(503, 0)} | "
                      f"{s.get(504, 0)} | {other} | {errors} | {pct(latencies, 50):.1f} | {pct(latencies, 99):.1f} | "
                      f"{w.probe_columns()} | {w.witness_columns()} | {w.memory_columns(cgroup.peak())} |",
                      flush=True)
                if other or w.probe_trouble():
                    print(f"  unexpected: statuses {s}; probes failed or >= 1 s: "
                          f"{[(x[1], round(x[2], 3), x[4]) for x in w.probe_trouble()][:10]}")
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
                for t in threads:
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
        monitor.close()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        print(f"\nwhole run {time.time() - started:.0f} s; OOM kills in the cgroup: {cgroup.oom_kills()}; "
              f"load average at the end {os.getloadavg()[0]:.2f}")
        cgroup.remove()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
