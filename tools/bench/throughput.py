#!/usr/bin/env python3
"""Throughput benchmark: the packaged runtime, with and without cross-request batching, against a Python server.

For each model (the committed test SavedModels: tabular_classifier, cnn_image, mobilenet_v2), first (in every
round) its compute bound (compute_bound.py: TensorFlow's own batched IG of the same points, no HTTP, no JSON, at its
best batch size; --no-compute-bound skips it), then each server variant, one server at a time on 127.0.0.1:

  runtime-batched    runtime/target/quarkus-app/quarkus-run.jar with its default settings (cross-request batching
                     on: explain.batching.*), plus --runtime-env and --batched-env
  runtime-unbatched  the same jar with EXPLAIN_BATCHING_ENABLED=false (or --unbatched-env), plus --runtime-env
  python             tools/bench/python_ig_server.py: tf.GradientTape IG in a tf.function behind ThreadingHTTPServer,
                     in TensorFlow 2.18 from the virtualenv tools/make-test-models.sh makes (created here if missing)

the script starts the server, waits until /q/health/ready answers 200, checks one answer against the model's
expected.json (top class and example score), warms up (5 s slices at 8 clients, at least --min-warmup seconds, then
until two in a row are no more than 5% faster than the best before them, at most --warmup seconds), then at each
concurrency level runs that many client threads, each sending :explain requests of one instance back to back on its
own keep-alive connection (http.client) for --seconds (longer until 100 answers came back, at most 5 times as long). It prints, per model, server and level: requests/s (answers 200 completed inside the
window, divided by its length), p50 and p99 latency of those answers, and errors (any other status or a failed
connection; a 429 or 503 is retried after its Retry-After), and the CPU cores busy on average during the level:
the server process, this script's clients, and everything else on the machine (from /proc: anything above zero
there is another workload skewing the figures). Both sides compute IG with 50 steps and the trapezoid rule from the
zero baseline of the metadata. The clients run on the same machine as the server: they read each answer's bytes and
parse none (but the check's). --rounds N starts every server N times per model, interleaved, and the summary tables
give the medians over the rounds (and the range of requests/s); the compute bound is measured again at the start
of every round and held against the servers as the median over the rounds.

--onednn on|off sets TensorFlow's oneDNN CPU kernels (TF_ENABLE_ONEDNN_OPTS=1 or 0) for every process the script
starts, the bound and every server alike, so that they are compared at one TensorFlow setting; the default leaves
TensorFlow's own choice (on for CPUs with AVX-512 VNNI, BF16 or AMX; off on this project's AMD EPYC).

Every loop is bounded in time and count; the servers are killed when the script exits (also on Ctrl-C or SIGTERM,
and with the script itself where Linux allows: PR_SET_PDEATHSIG).

usage: tools/bench/throughput.py [--models tabular_classifier,cnn_image,mobilenet_v2]
         [--servers runtime-batched,runtime-unbatched,python] [--levels 1,8,32] [--seconds 20] [--min-warmup 30] [--warmup 90]
         [--rounds 1] [--onednn default|on|off] [--runtime-env K=V]... [--batched-env K=V]... [--unbatched-env K=V]... [--markdown]
"""
import argparse
import atexit
import ctypes
import http.client
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
JAR = os.path.join(ROOT, "runtime/target/quarkus-app/quarkus-run.jar")
MODELS_DIR = os.path.join(ROOT, "runtime/src/test/resources/models")
# models too big to commit, made by tools/make-test-models.py on first use (resnet50: 98 MB of random weights)
BENCH_MODELS_DIR = os.path.expanduser("~/.cache/explainable-serving/bench-models")
BENCH_ONLY_MODELS = ["resnet50"]
MAKE_MODELS = os.path.join(ROOT, "tools/make-test-models.py")
PY_SERVER = os.path.join(ROOT, "tools/bench/python_ig_server.py")
COMPUTE_BOUND = os.path.join(ROOT, "tools/bench/compute_bound.py")
REQUIREMENTS = os.path.join(ROOT, "tools/requirements-models.txt")
VENV = os.environ.get("VENV", os.path.expanduser("~/.cache/explainable-serving/pyenv-tf"))
# as the image and the operator set them (pom.xml's Jib environment, the operator's DesiredDeployment)
JVM = "-XX:MaxRAMPercentage=40 -XX:+ExitOnOutOfMemoryError -Dorg.bytedeco.javacpp.cachedir=/tmp/javacpp-bench"
URL = "/v1/projects/bench/models/model:explain"
SERVERS = ["runtime-before", "runtime-batched", "runtime-unbatched", "python"]
MODELS = ["tabular_classifier", "cnn_image", "mobilenet_v2"]
MAX_REQUESTS_PER_CLIENT = 1_000_000  # a bound on each client's loop besides the level's time
REQUEST_TIMEOUT = 120  # seconds one request may take (the runtime's deadline is 60 s)

_children = []


def kill_children():
    for proc in _children:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=15)
    _children.clear()


def _die_with_parent():
    os.setsid()  # no Ctrl-C of its own: the script stops it after printing what it measured
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def model_dir(name):
    """A committed test model's folder, or a benchmark-only model's under BENCH_MODELS_DIR."""
    return os.path.join(BENCH_MODELS_DIR if name in BENCH_ONLY_MODELS else MODELS_DIR, name)


def ensure_model(name, python):
    """Makes a benchmark-only model (once per machine) with tools/make-test-models.py."""
    if name in BENCH_ONLY_MODELS and not os.path.isfile(os.path.join(model_dir(name), "expected.json")):
        print(f"# making {name} under {BENCH_MODELS_DIR} (once per machine)", flush=True)
        os.makedirs(BENCH_MODELS_DIR, exist_ok=True)
        subprocess.run([python, MAKE_MODELS, BENCH_MODELS_DIR, name], check=True, timeout=1800,
                       env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})


def load_model(name):
    """The request body (one instance) and what its explanation must say, from the model's expected.json."""
    with open(os.path.join(model_dir(name), "expected.json")) as f:
        exp = json.load(f)
    if "instances" in exp:  # tabular: instances with their explanations
        instance, expected = exp["instances"][0], exp["explanations"][0]
    elif "image" in exp:  # float RGB in [0, 1], [h][w][3]
        instance, expected = exp["image"], exp
    elif "image_uint8" in exp:  # 0..255 integers of a float model: sent as the floats it was explained at
        instance, expected = [[[round(v / 255.0, 6) for v in px] for px in row] for row in exp["image_uint8"]], exp
    else:
        raise SystemExit(f"{name}: expected.json has no instance this benchmark knows")
    body = json.dumps({"instances": [instance]}, separators=(",", ":")).encode()
    return body, expected["label_index"], expected["example_score"]


def ensure_venv():
    """TensorFlow 2.18 in the virtualenv tools/make-test-models.sh makes (the same path and requirements)."""
    python = os.path.join(VENV, "bin/python")
    if not os.access(python, os.X_OK):
        print(f"# creating {VENV} (TensorFlow 2.18; once per machine)", flush=True)
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True, timeout=300)
    subprocess.run([os.path.join(VENV, "bin/pip"), "install", "-q", "-r", REQUIREMENTS], check=True, timeout=1800)
    return python


def parse_env(pairs):
    env = {}
    for p in pairs or []:
        k, sep, v = p.partition("=")
        if not sep or not k:
            raise SystemExit(f"not KEY=VALUE: {p}")
        env[k] = v
    return env


class Server:
    def __init__(self, kind, model, args, python, logdir):
        self.kind, self.model, self.port = kind, model, free_port()
        # the runtime answers its probes on a management port of its own; the Python server on its one port
        self.management_port = self.port if kind == "python" else free_port()
        self.log_path = os.path.join(logdir, f"{model}-{kind}.log")
        folder = model_dir(model)
        # the runtime's settings are the benchmark's only: none inherited from the calling shell
        env = {k: v for k, v in os.environ.items() if not k.startswith("EXPLAIN_")}
        env["TF_CPP_MIN_LOG_LEVEL"] = "2"
        overrides = {}
        if kind == "python":
            cmd = [python, PY_SERVER, folder, "--port", str(self.port), "--steps", str(args.steps),
                   "--rule", "trapezoid", "--mode", args.python_mode]
        else:
            cmd = ["java", "-jar", args.before_jar if kind == "runtime-before" else JAR]
            env.update(MALLOC_ARENA_MAX="2", EXPLAIN_MODEL_DIR=folder, EXPLAIN_MODEL_NAME="model",
                       QUARKUS_HTTP_PORT=str(self.port), QUARKUS_MANAGEMENT_PORT=str(self.management_port),
                       JAVA_TOOL_OPTIONS=" ".join([JVM] + args.jvm_option), EXPLAIN_INTEGRAL_STEPS=str(args.steps),
                       EXPLAIN_INTEGRATION_RULE="trapezoid", EXPLAIN_METHOD="integrated-gradients")
            overrides = dict(args.runtime_env)
            overrides.update(args.batched_env if kind == "runtime-batched"
                             else args.unbatched_env if kind == "runtime-unbatched" else {})
            env.update(overrides)
        self.settings = " ".join(f"{k}={v}" for k, v in sorted(overrides.items()))
        self.log = open(self.log_path, "w")
        self.started = time.time()
        self.proc = subprocess.Popen(cmd, env=env, stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     preexec_fn=_die_with_parent, cwd=ROOT)
        _children.append(self.proc)

    def wait_ready(self, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.kind} exited during start ({self.proc.returncode}); see {self.log_path}")
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.management_port, timeout=5)
                c.request("GET", "/q/health/ready")
                status = c.getresponse().status
                c.close()
                if status == 200:
                    return time.time() - self.started
            except OSError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"{self.kind} not ready within {timeout} s; see {self.log_path}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=30)
        if self.proc in _children:
            _children.remove(self.proc)
        self.log.close()


def check(port, body, label, score):
    """One explanation: the top class and example score of expected.json (TensorFlow's own GradientTape)."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    c.request("POST", URL, body, {"Content-Type": "application/json"})
    r = c.getresponse()
    data = r.read()
    c.close()
    if r.status != 200:
        return f"status {r.status}: {data[:300]!r}", len(data)
    entry = json.loads(data)["explanations"][0]["attributions_by_label"][0]
    if entry["label_index"] != label or abs(entry["example_score"] - score) > 1e-3:
        return (f"label {entry['label_index']} score {entry['example_score']:.6f}, "
                f"expected label {label} score {score:.6f}"), len(data)
    return None, len(data)


def client(port, body, stop, out):
    """Requests back to back on one keep-alive connection until stop; records (end time, seconds, status)."""
    conn = None
    for _ in range(MAX_REQUESTS_PER_CLIENT):
        if stop.is_set():
            break
        t = time.monotonic()
        try:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
            conn.request("POST", URL, body, {"Content-Type": "application/json"})
            r = conn.getresponse()
            r.read()
            end = time.monotonic()
            out.append((end, end - t, r.status))
            if r.will_close:
                conn.close()
                conn = None
            if r.status in (429, 503):
                stop.wait(min(float(r.getheader("Retry-After") or 1), 5))
        except (OSError, http.client.HTTPException):
            end = time.monotonic()
            out.append((end, end - t, "conn"))
            if conn is not None:
                conn.close()
            conn = None
            stop.wait(0.1)
    if conn is not None:
        conn.close()


def cpu_snapshot(pid):
    """Seconds of CPU used so far: by the whole machine, by the server process, by this script (Linux's /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    try:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:9]]
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        machine, server = (sum(v) - v[3] - v[4]) / tick, (int(fields[11]) + int(fields[12])) / tick
    except (OSError, ValueError, IndexError):
        machine = server = float("nan")
    own = os.times()
    return time.monotonic(), machine, server, own.user + own.system


def run_level(port, body, clients, seconds, pid, min_answers=0):
    stop = threading.Event()
    outs = [[] for _ in range(clients)]
    before = cpu_snapshot(pid)
    t0 = time.monotonic()
    threads = [threading.Thread(target=client, args=(port, body, stop, outs[i]), daemon=True)
               for i in range(clients)]
    for t in threads:
        t.start()
    stop.wait(seconds)
    # slow models: longer, until min_answers answers (for a p99 worth the name), at most 5 times as long
    while sum(len(out) for out in outs) < min_answers and time.monotonic() - t0 < 5 * seconds:
        stop.wait(0.25)
    t1 = time.monotonic()
    after = cpu_snapshot(pid)
    stop.set()
    for t in threads:
        t.join(timeout=REQUEST_TIMEOUT + 10)
    stuck = sum(1 for t in threads if t.is_alive())
    inside = [r for out in outs for r in list(out) if r[0] <= t1]
    ok = sorted(d for end, d, s in inside if s == 200)
    errors = {}
    for end, d, s in inside:
        if s != 200:
            errors[s] = errors.get(s, 0) + 1
    wall, machine, server, own = (a - b for a, b in zip(after, before))
    return {"rps": len(ok) / (t1 - t0), "ok": len(ok), "seconds": t1 - t0, "p50": pct(ok, 50), "p99": pct(ok, 99),
            "errors": sum(errors.values()) + stuck, "error_kinds": errors, "stuck": stuck,
            # cores busy on average: the server, this script's clients, everything else on the machine
            "server_cpu": server / wall, "client_cpu": own / wall, "other_cpu": max(0.0, machine - server - own) / wall}


def warm_up(port, body, clients, min_seconds, max_seconds, pid, slice_seconds=5.0):
    """Load in slices for at least min_seconds, then until two slices in a row are no more than 5% faster than the
    best slice before them (the JVM compiles its hot paths over tens of seconds of load), at most max_seconds; the
    requests/s of each slice."""
    rates, spent, best, calm = [], 0.0, 0.0, 0
    while spent < max_seconds - 0.5 and (calm < 2 or spent < min_seconds - 0.5):
        s = min(slice_seconds, max_seconds - spent)
        rate = run_level(port, body, clients, s, pid)["rps"]
        calm = calm + 1 if rate <= 1.05 * best else 0
        best = max(best, rate)
        rates.append(rate)
        spent += s
    return spent, rates


def compute_bound(python, model, seconds, steps, batches, logdir):
    """compute_bound.py's figures for one model (its last line), its other lines printed; None if it failed."""
    log = os.path.join(logdir, f"compute-bound-{model}.log")
    with open(log, "w") as out:
        p = subprocess.run([python, COMPUTE_BOUND, model_dir(model), "--seconds", f"{seconds:g}",
                            "--steps", str(steps), "--batches", batches],
                           stdout=subprocess.PIPE, stderr=out, text=True, timeout=600)
    lines = p.stdout.strip().splitlines()
    if p.returncode != 0 or not lines:
        print(f"# compute bound of {model} failed (exit {p.returncode}): see {log}")
        return None
    for line in lines[:-1]:
        print(line)
    return json.loads(lines[-1])


def median_bound(rounds):
    """The bound over rounds: per batch size the median of its rates, the best batch the one best by median."""
    if not rounds:
        return None
    by_batch = {}
    for r in rounds:
        for k, v in r["by_batch"].items():
            by_batch.setdefault(k, []).append(v)
    medians = {k: median(v) for k, v in by_batch.items()}
    best = max(medians, key=medians.get)
    return {"best_batch": int(best), "explanations_per_s": medians[best], "by_batch": medians,
            "range": (min(by_batch[best]), max(by_batch[best])), "rounds": len(rounds)}


def median(values):
    v = sorted(values)
    return (v[(len(v) - 1) // 2] + v[len(v) // 2]) / 2 if v else float("nan")


def pct(sorted_values, p):
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(p / 100 * len(sorted_values)))]


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def measure(model, kind, rnd, body, label, score, levels, args, python, logdir, rows):
    """One server: start, check, warm up, every level; appends rows; True when something failed."""
    server = Server(kind, model, args, python, logdir)
    failed = False
    try:
        try:
            ready = server.wait_ready(args.start_timeout)
            problem, resp_bytes = check(server.port, body, label, score)
        except (RuntimeError, OSError, http.client.HTTPException, ValueError, KeyError) as e:
            print(f"# {model} {kind}: {e}")
            return True
        print(f"# {model} on {kind}" + (f", round {rnd}" if args.rounds > 1 else "") + f": ready after {ready:.1f} s; "
              f"request {len(body) / 1024:.0f} KiB, answer {resp_bytes / 1024:.1f} KiB"
              + (f"; {server.settings}" if server.settings else ""), flush=True)
        if problem:
            print(f"# {model} on {kind}: CHECK FAILED: {problem}")
            failed = True
        if args.warmup:
            spent, rates = warm_up(server.port, body, min(8, max(levels)), min(args.min_warmup, args.warmup),
                                   args.warmup, server.proc.pid)
            print(f"# warm-up {spent:.0f} s at {min(8, max(levels))} clients, req/s per 5 s: "
                  + " ".join(f"{x:.1f}" for x in rates), flush=True)
        for n in levels:
            r = run_level(server.port, body, n, args.seconds, server.proc.pid, args.min_answers)
            rows.append((model, kind, n, r))
            print(f"{model:<20} {kind:<18} {n:>7} {r['rps']:>8.{2 if r['rps'] < 10 else 1}f} {r['p50'] * 1000:>8.1f} {r['p99'] * 1000:>8.1f} "
                  f"{r['errors']:>6} {r['server_cpu']:>7.2f} {r['client_cpu']:>7.2f} {r['other_cpu']:>7.2f}"
                  + (f"  ({r['seconds']:.0f} s, {r['ok']} answers)" if r["seconds"] > args.seconds + 1 else "")
                  + (f"  {r['error_kinds']}" + (f", {r['stuck']} clients stuck" if r['stuck'] else "")
                     if r["errors"] else ""), flush=True)
            if server.proc.poll() is not None:
                print(f"# {kind} died ({server.proc.returncode}); see {server.log_path}")
                return True
    finally:
        server.stop()
    return failed


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--servers", default=",".join(SERVERS))
    ap.add_argument("--levels", default="1,8,32", help="concurrent clients, comma-separated")
    ap.add_argument("--seconds", type=float, default=20, help="length of each level")
    ap.add_argument("--min-answers", type=int, default=100, metavar="N",
                    help="a level lasts past --seconds until N answers came back, at most 5 times --seconds")
    ap.add_argument("--warmup", type=float, default=90,
                    help="most seconds of warm-up at min(8, most clients) clients, in 5 s slices (0: none)")
    ap.add_argument("--min-warmup", type=float, default=30,
                    help="least seconds of warm-up; then until two slices in a row are no more than 5%% faster "
                         "than the best before them")
    ap.add_argument("--runtime-env", action="append", metavar="K=V",
                    help="environment of both runtime variants (repeatable); the default raises "
                         "EXPLAIN_ADMISSION_MAX_QUEUED_EXPLANATIONS to 64 so that 32 clients are all admitted")
    ap.add_argument("--jvm-option", action="append", default=[], metavar="OPTION",
                    help="a JVM option added to both runtime variants' (repeatable), e.g. a flight recording")
    ap.add_argument("--steps", type=int, default=50, help="IG steps of every server and the bound (trapezoid)")
    ap.add_argument("--bound-batches", default="1,2,4,8,16",
                    help="instances per call the compute bound tries (fewer for a big model: each holds its points' "
                         "activations)")
    ap.add_argument("--before-jar", metavar="JAR",
                    help="runtime-before: this jar (a build of another commit) with its default settings, beside "
                         "this tree's, for before/after figures from the same run")
    ap.add_argument("--batched-env", action="append", metavar="K=V", help="runtime-batched only (repeatable)")
    ap.add_argument("--unbatched-env", action="append", metavar="K=V",
                    help="runtime-unbatched only (repeatable; default EXPLAIN_BATCHING_ENABLED=false)")
    ap.add_argument("--python-mode", choices=["function", "eager"], default="function",
                    help="the Python server's IG: one tf.function (default) or an eager GradientTape")
    ap.add_argument("--rounds", type=int, default=1,
                    help="start every server this many times per model, interleaved; the tables give medians")
    ap.add_argument("--start-timeout", type=float, default=300)
    ap.add_argument("--markdown", action="store_true", help="also print the results as a markdown table")
    ap.add_argument("--onednn", choices=["default", "on", "off"], default="default",
                    help="TensorFlow's oneDNN CPU kernels for the bound and every server alike (TF_ENABLE_ONEDNN_OPTS); "
                         "default: TensorFlow's own choice for this CPU")
    ap.add_argument("--no-compute-bound", action="store_true",
                    help="skip the compute bound (compute_bound.py: TensorFlow's batched IG, no HTTP) measured per "
                         "model before the servers")
    args = ap.parse_args()
    args.runtime_env = parse_env(args.runtime_env or ["EXPLAIN_ADMISSION_MAX_QUEUED_EXPLANATIONS=64"])
    args.batched_env = parse_env(args.batched_env)
    args.unbatched_env = parse_env(args.unbatched_env or ["EXPLAIN_BATCHING_ENABLED=false"])
    models = [m for m in args.models.split(",") if m]
    servers = [s for s in args.servers.split(",") if s]
    levels = [int(x) for x in args.levels.split(",") if x]
    for m in models:
        if m not in BENCH_ONLY_MODELS and not os.path.isfile(os.path.join(model_dir(m), "expected.json")):
            raise SystemExit(f"unknown model {m} (no {MODELS_DIR}/{m}/expected.json; or one of {BENCH_ONLY_MODELS})")
    if "runtime-before" in servers and not (args.before_jar and os.path.isfile(args.before_jar)):
        raise SystemExit("runtime-before needs --before-jar PATH (a quarkus-run.jar built from another commit)")
    if not 1 <= args.steps <= 1000:
        raise SystemExit("--steps: 1 to 1000")
    for s in servers:
        if s not in SERVERS:
            raise SystemExit(f"unknown server {s}; one of {SERVERS}")
    if not 1 <= args.rounds <= 20:
        raise SystemExit("--rounds: 1 to 20")
    if not levels or min(levels) < 1 or max(levels) > 256 or not 0 < args.seconds <= 3600 or not 0 <= args.warmup <= 600 \
            or not 0 <= args.min_answers <= 100_000:
        raise SystemExit("levels 1..256 clients, --seconds in (0, 3600], --warmup in [0, 600], "
                         "--min-answers in [0, 100000]")
    if any(s.startswith("runtime") for s in servers) and not os.path.exists(JAR):
        raise SystemExit(f"build the runtime first: ./mvnw -pl contract,runtime package -DskipTests ({JAR} missing)")

    def on_term(signum, frame):
        raise KeyboardInterrupt

    # inherited by the bound, the Python server and the runtime (whose environment is this one's, less EXPLAIN_*)
    os.environ.pop("TF_ENABLE_ONEDNN_OPTS", None)
    if args.onednn != "default":
        os.environ["TF_ENABLE_ONEDNN_OPTS"] = "1" if args.onednn == "on" else "0"

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # also when started in the background (SIG_IGN)
    atexit.register(kill_children)
    needs_python = "python" in servers or not args.no_compute_bound or any(m in BENCH_ONLY_MODELS for m in models)
    python = ensure_venv() if needs_python else None
    logdir = tempfile.mkdtemp(prefix="explainable-throughput-")

    print(f"# throughput benchmark, {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores ({cpu_name()}), "
          f"load average {os.getloadavg()[0]:.1f} at start")
    print(f"# IG {args.steps} steps trapezoid, one instance per request, levels {levels} clients x {args.seconds:g} s "
          f"after a warm-up of at most {args.warmup:g} s; oneDNN kernels: {args.onednn}; server logs in {logdir}")
    rows, failed = [], False
    header = (f"{'model':<20} {'server':<18} {'clients':>7} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6} "
              f"{'srv CPU':>7} {'cli CPU':>7} {'oth CPU':>7}")
    print(header)
    bounds = {}
    try:
        for model in models:
            ensure_model(model, python)
            body, label, score = load_model(model)
            for rnd in range(1, args.rounds + 1):
                # the bound in every round, beside the servers: this machine's speed drifts by 10-15% over minutes,
                # so a bound measured once before all rounds would be held against servers run under other weather
                if not args.no_compute_bound:
                    b = compute_bound(python, model, min(args.seconds, 10.0), args.steps, args.bound_batches, logdir)
                    if b:
                        bounds.setdefault(model, []).append(b)
                for kind in servers:
                    failed |= measure(model, kind, rnd, body, label, score, levels, args, python, logdir, rows)
    except KeyboardInterrupt:
        print("# interrupted: servers stopped", file=sys.stderr)
        failed = True
    finally:
        kill_children()

    # per model, server and level: the median over rounds (one round: its figures)
    summary = {}
    for model, kind, n, r in rows:
        summary.setdefault((model, kind, n), []).append(r)
    agg = {}
    for key, rs in summary.items():
        rps = [r["rps"] for r in rs]
        agg[key] = {"rps": median(rps), "rps_min": min(rps), "rps_max": max(rps), "rounds": len(rs),
                    "p50": median([r["p50"] for r in rs]), "p99": median([r["p99"] for r in rs]),
                    "errors": sum(r["errors"] for r in rs), "server_cpu": median([r["server_cpu"] for r in rs]),
                    "other_cpu": median([r["other_cpu"] for r in rs])}
    if agg and "python" in servers and len(servers) > 1:
        print("\n# throughput relative to the Python server (req/s" + (", medians of the rounds" if args.rounds > 1
                                                                    else "") + ")")
        for model in models:
            for n in levels:
                py = agg.get((model, "python", n))
                if not py or not py["rps"]:
                    continue
                parts = [f"{k} {agg[(model, k, n)]['rps'] / py['rps']:.2f}x" for k in servers
                         if k != "python" and (model, k, n) in agg]
                print(f"{model:<20} {n:>3} clients: " + ", ".join(parts))
    if agg and bounds:
        print("\n# throughput relative to the compute bound (TensorFlow's batched IG at its best batch, no HTTP; "
              "issue 26's goal: the runtime at 0.95x or more)")
        for model in models:
            bound = median_bound(bounds.get(model))
            if not bound:
                continue
            one = bound["by_batch"].get("1")
            for n in levels:
                parts = [f"{k} {agg[(model, k, n)]['rps'] / bound['explanations_per_s']:.2f}x" for k in servers
                         if (model, k, n) in agg]
                # one client has one explanation at a time: also against the bound of one at a time
                if n == 1 and one:
                    parts += [f"{k} {agg[(model, k, n)]['rps'] / one:.2f}x of batch 1" for k in servers
                              if (model, k, n) in agg]
                print(f"{model:<20} {n:>3} clients: " + ", ".join(parts)
                      + f"  (bound {bound['explanations_per_s']:.3g}/s at batch {bound['best_batch']}"
                      + (f", {one:.3g}/s at batch 1" if one else "")
                      + (f"; medians of {bound['rounds']} rounds, best batch {bound['range'][0]:.3g}–"
                         f"{bound['range'][1]:.3g}/s" if bound["rounds"] > 1 else "") + ")")
    if args.markdown and agg:
        many = args.rounds > 1
        print(f"\n| model | server | clients | requests/s{' (median, min–max)' if many else ''} | p50 ms | p99 ms "
              f"| errors | server cores | other cores |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for (model, kind, n), a in agg.items():
            d = 2 if a["rps"] < 10 else 1
            rps = f"{a['rps']:.{d}f}" + (f" ({a['rps_min']:.{d}f}–{a['rps_max']:.{d}f})" if many else "")
            print(f"| {model} | {kind} | {n} | {rps} | {a['p50'] * 1000:.1f} | {a['p99'] * 1000:.1f} | {a['errors']} "
                  f"| {a['server_cpu']:.2f} | {a['other_cpu']:.2f} |")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
