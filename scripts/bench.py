#!/usr/bin/env python3
"""`make bench` / `make bench-peers`: the issue-19 performance targets, measured in one run.

1. Runs the bench harness (bench/harness/peers.sh, a copy of the shared harness) for the baseline, our mock and (bench-peers) the peers,
   and reads its JSON summary (req/s, p50/p99, start-up, idle RSS, ratios against the baseline of the same round).
2. Times the whole certification suite on the embedded mock (release build), median of 3 runs, and reports the
   per-scenario overhead from its JSON report.
3. Measures memory per stored final task: RSS of a fresh mock before and after N task creations (wrk stops
   itself after N answers), divided by N. A final task carries its transaction, so that is counted too.
4. Prints every target with the measured value and met / NOT MET, and writes target/bench/summary.json.

Only ratios from one run mean anything here: absolute numbers move +-10 % between runs on these machines.
Standard library only. Exit status 0 even when a target is missed: this is a measurement, not a test.
"""
import argparse
import base64
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "bench", "harness")
USER, PASSWORD, TID, API_KEY = "jan.novak@example.com", "ABCDEFGHIJKL", "999888", "333W212J3"
SALE = {"apiKey": API_KEY, "Tid": TID, "initiator": "bench", "title": "bench sale", "amount": 1111,
        "transactionOperation": "SALE", "transactionType": "CARD", "currencyCode": "CZK"}

# httpmock's figure in the shared harness README (2 cores, GET, ratio to the baseline GET), used when it could not
# be run here: ours / httpmock = our ratio / this one.
HTTPMOCK_REFERENCE = 1.13


# As bench/harness does: the server on CPU 0, the load generator on CPU 1 (when the machine has two and taskset).
_PIN = shutil.which("taskset") is not None and (os.cpu_count() or 1) >= 2
PIN_SERVER = ["taskset", "-c", "0"] if _PIN else []
PIN_CLIENT = ["taskset", "-c", "1"] if _PIN else []


def pin_client_thread():
    """Puts the calling thread (a client of the mock, such as the console's readers) on the client's CPU."""
    if _PIN:
        os.sched_setaffinity(0, {1})  # on Linux, 0 is the calling thread


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(url, data=None, headers=None, method=None):
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.status, r.read()


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def start_mock(binary, *extra):
    port = free_port()
    proc = subprocess.Popen([*PIN_SERVER, binary, "--port", str(port), "--seed", "1", "--latency", "instant", *extra],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    for _ in range(6000):  # up to a minute: a --state mock replays its log first
        try:
            call(base + "/__admin/health")
            return proc, base
        except OSError:
            time.sleep(0.01)
    proc.kill()
    raise SystemExit(f"bench: {binary} did not answer on {base}")


def token(base, user=USER, tid=TID):
    basic = base64.b64encode(b"atom:ashfuf4e5fa").decode()
    form = f"grant_type=password&username={urllib.parse.quote(user)}&password={PASSWORD}&tid={tid}".encode()
    _, body = call(base + "/cloud/oauth/token", form,
                   {"Authorization": "Basic " + basic, "Content-Type": "application/x-www-form-urlencoded"})
    return json.loads(body)["access_token"]


def memory_per_task(binary, n):
    """RSS growth per created (and, on instant latency, completed) task, with the journal kept to one entry."""
    wrk = shutil.which("wrk")
    if not wrk:
        return {"error": "wrk not installed"}
    proc, base = start_mock(binary, "--journal-cap", "1")
    try:
        tok = token(base)
        headers = {"Authorization": "Bearer " + tok, "Content-Type": "application/json"}
        call(base + "/v1/tasks/TRANSACTION", json.dumps(SALE).encode(), headers)  # warm every path once
        before = rss_kb(proc.pid)
        bad = create_tasks(base, tok, n)
        after = rss_kb(proc.pid)
        return {"tasks": n, "non_200": bad, "rss_before_kb": before, "rss_after_kb": after,
                "bytes_per_task": round((after - before) * 1024 / n)}
    finally:
        proc.kill()
        proc.wait()


def create_tasks(base, tok, n, sale=SALE):
    """POSTs `sale` with wrk until n answers came back; returns how many were not 200. wrk's own stop() does not end
    the run before its duration, so the Lua script leaves a file at the n-th answer and this ends wrk."""
    with tempfile.TemporaryDirectory() as tmp:
        script, mark = os.path.join(tmp, "create.lua"), os.path.join(tmp, "done")
        with open(script, "w") as f:
            f.write(f"""
wrk.method = "POST"
wrk.body = '{json.dumps(sale)}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {tok}"
local answered, bad = 0, 0
function response(status, headers, body)
  answered = answered + 1
  if status ~= 200 then bad = bad + 1 end
  if answered == {n} then
    local f = io.open("{mark}", "w")
    f:write(bad)
    f:close()
    wrk.thread:stop()
  end
end
""")
        wrk = subprocess.Popen([shutil.which("wrk") or "wrk", "-t1", "-c1", "-d3600s", "-s", script,
                                base + "/v1/tasks/TRANSACTION"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while wrk.poll() is None and not os.path.exists(mark):
                time.sleep(0.05)
        finally:
            wrk.kill()
            wrk.wait()
        time.sleep(0.05)  # the file is written before the thread stops
        try:
            with open(mark) as f:
                return int(f.read().strip() or -1)
        except (OSError, ValueError):
            return -1


def wrk_rps(url, seconds, headers, body=None):
    """Requests per second wrk measures on one URL (1 thread, 4 connections), and how many answers were not 2xx."""
    lua = f"wrk.method = \"POST\"\nwrk.body = '{body}'\n" if body is not None else ""
    lua += "".join(f'wrk.headers["{k}"] = "{v}"\n' for k, v in headers.items())
    return wrk_script_rps(url, seconds, lua)


def state_cost(binary, seconds=5):
    """--state DIR: throughput of task creation and task reads with and without it (same run, ratios), and the
    start-up of a mock that replays what the creations logged."""
    if not shutil.which("wrk"):
        return {"error": "wrk not installed"}
    out = {}
    with tempfile.TemporaryDirectory() as state:
        # a deep queue: under instant latency a task is final only once read, and creations are never read here
        for mode, extra in (("memory", ()), ("state", ("--state", state))):
            proc, base = start_mock(binary, "--max-queue", "10000000", "--max-tasks", "10000000", "--max-transactions", "10000000", *extra)
            try:
                tok = token(base)
                headers = {"Authorization": "Bearer " + tok, "Content-Type": "application/json"}
                task = first_task(base, tok)
                post, post_bad = wrk_rps(base + "/v1/tasks/TRANSACTION", seconds, headers, json.dumps(SALE))
                get, get_bad = wrk_rps(base + f"/v1/tasks/{task}", seconds, headers)
                out[mode] = {"post_rps": round(post), "get_rps": round(get), "non_2xx": post_bad + get_bad}
            finally:
                proc.kill()  # SIGKILL, as a crash would
                proc.wait()
        t0 = time.perf_counter()
        proc, base = start_mock(binary, "--max-queue", "10000000", "--max-tasks", "10000000", "--max-transactions", "10000000", "--state", state)
        out["restart_s"] = round(time.perf_counter() - t0, 2)
        proc.kill()
        proc.wait()
        with sqlite_rows(os.path.join(state, "state.sqlite")) as rows:
            out["replayed_rows"] = rows
    out["post_ratio"] = round(out["state"]["post_rps"] / max(1, out["memory"]["post_rps"]), 3)
    out["get_ratio"] = round(out["state"]["get_rps"] / max(1, out["memory"]["get_rps"]), 3)
    return out


def console_cost(binary, seconds=5):
    """The web console: its page weight, and GET throughput with a console open (a reader on the journal stream,
    the board and the judgement read as often as the page reads them under load) against none, in the same run."""
    if not shutil.which("wrk"):
        return {"error": "wrk not installed"}
    proc, base = start_mock(binary)
    try:
        _, page = call(base + "/__console")
        tok = token(base)
        headers = {"Authorization": "Bearer " + tok, "Content-Type": "application/json"}
        url = base + "/v1/tasks/" + first_task(base, tok)
        closed, _ = wrk_rps(url, seconds, headers)
        stop, events = threading.Event(), [0]

        def listen():
            pin_client_thread()
            try:
                with urllib.request.urlopen(base + "/__admin/journal/stream", timeout=seconds + 30) as r:
                    while not stop.is_set():
                        line = r.readline()
                        if not line:
                            break
                        events[0] += line.startswith(b"event: entry")
            except OSError:
                pass  # the mock was stopped under it

        def board():  # as the page does under load: the board every 0.3 s, the judgement every second
            pin_client_thread()
            n = 0
            try:
                while not stop.is_set():
                    call(base + "/__admin/terminals")
                    if n % 3 == 0:
                        call(base + "/__admin/judgement")
                    n += 1
                    stop.wait(0.3)
            except OSError:
                pass  # the mock was stopped under it

        threads = [threading.Thread(target=listen, daemon=True), threading.Thread(target=board, daemon=True)]
        for t in threads:
            t.start()
        time.sleep(0.3)
        opened, _ = wrk_rps(url, seconds, headers)
        stop.set()
    finally:
        proc.kill()
        proc.wait()
    return {"page_bytes": len(page), "get_rps_closed": round(closed), "get_rps_open": round(opened),
            "events_read": events[0], "open_ratio": round(opened / max(1, closed), 3)}


def wrk_script_rps(url, seconds, lua):
    """Requests per second wrk measures with a Lua script of its own (1 thread, 4 connections), and the non-2xx."""
    with tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(tmp, "s.lua")
        with open(script, "w") as f:
            f.write(lua)
        out = subprocess.run([*PIN_CLIENT, shutil.which("wrk") or "wrk", "-t1", "-c4", f"-d{seconds}s", "-s", script, url],
                             capture_output=True, text=True).stdout
    rps = next((float(l.split()[1]) for l in out.splitlines() if l.startswith("Requests/sec:")), 0.0)
    bad = next((int(l.split()[-1]) for l in out.splitlines() if "Non-2xx" in l), 0)
    return rps, bad


def pair_rps(base, tok, task, seconds):
    """GET of one task and POST of sales on one terminal, as the `ours` rows but in this function's own runs."""
    headers = {"Authorization": "Bearer " + tok, "Content-Type": "application/json"}
    get, bad_get = wrk_rps(f"{base}/v1/tasks/{task}", seconds, headers)
    post, bad_post = wrk_rps(base + "/v1/tasks/TRANSACTION", seconds, headers, json.dumps(SALE))
    return {"get_rps": round(get), "post_rps": round(post), "non_2xx": bad_get + bad_post}


def first_task(base, tok):
    headers = {"Authorization": "Bearer " + tok, "Content-Type": "application/json"}
    _, made = call(base + "/v1/tasks/TRANSACTION", json.dumps(SALE).encode(), headers)
    task = json.loads(made)["taskId"]
    call(base + "/v1/tasks/" + task, headers=headers)  # settled: final, with its transaction
    return task


def terminals_fixture(directory, n):
    """A fixtures directory with n terminals, each with its own login (the built-in cards, outcomes, latency)."""
    lines = ["oauthClient:", "  id: atom", "  secret: ashfuf4e5fa", "terminals:"]
    for i in range(n):
        lines += [f'  - tid: "{800000 + i}"', f"    apiKey: K{i:08d}", '    merchantId: "343382001"',
                  "    currency: CZK", "    mode: automatic", "    reachable: true"]
    lines.append("accounts:")
    for i in range(n):
        lines += [f"  - username: pos{i}@example.com", "    password: ABCDEFGHIJKL", "    kind: terminal",
                  f'    tids: ["{800000 + i}"]']
    with open(os.path.join(directory, "accounts.yaml"), "w") as f:
        f.write("\n".join(lines) + "\n")


# The rows of cost as the work grows: many short rounds, each case right after its reference (the machine's pace
# drifts within seconds, so runs close in time give ratios that agree; 3 rounds of 4 s swung ±10 % between runs).
SCALE_ROUNDS, SCALE_SECONDS = 8, 2


def median_ratio(references, measured):
    """The median of the per-round ratios measured / reference (req/s of the same rounds)."""
    return round(statistics.median(m / max(1.0, r) for r, m in zip(references, measured)), 3)


def scale_cost(binary, seconds=SCALE_SECONDS, held=100_000, terminals=1_000):
    """How cost grows with the work held (issue 19): GET and POST on an empty mock, with `held` tasks and their
    transactions already held (the default caps: the oldest final tasks are evicted as new ones come), and spread
    over `terminals` terminals at once, each request another terminal's (against one terminal, same script); all in
    this run, each ratio the median of `SCALE_ROUNDS` rounds' ratios. The journal is at its cap (10 000) in every
    one of them after the first second of load."""
    if not shutil.which("wrk"):
        return {"error": "wrk not installed"}
    out = {}

    def empty_round():  # a fresh mock each round: its POSTs fill it
        proc, base = start_mock(binary)
        try:
            tok = token(base)
            return pair_rps(base, tok, first_task(base, tok), seconds)
        finally:
            proc.kill()
            proc.wait()

    proc, base = start_mock(binary)
    try:
        tok = token(base)
        bad = create_tasks(base, tok, held)
        call(base + "/__admin/state?tid=" + TID)  # every task settled: final, each with its transaction
        empties, helds = [], []
        for _ in range(SCALE_ROUNDS):  # the two cases in turn, as the harness's rounds
            empties.append(empty_round())
            # the newest task for the GETs: each round's POSTs evict the oldest final tasks
            helds.append(pair_rps(base, tok, first_task(base, tok), seconds))
        rss = round(rss_kb(proc.pid) / 1024, 1)
    finally:
        proc.kill()
        proc.wait()

    def medians(runs):
        return {k: round(statistics.median(r[k] for r in runs)) for k in ("get_rps", "post_rps")} | {
            "non_2xx": sum(r["non_2xx"] for r in runs)}

    out["empty"] = medians(empties)
    out["held"] = medians(helds) | {"preload_non_200": bad, "rss_mb": rss, "rounds": SCALE_ROUNDS}
    for verb in ("get", "post"):
        out["held"][f"{verb}_ratio"] = median_ratio([e[f"{verb}_rps"] for e in empties],
                                                    [h[f"{verb}_rps"] for h in helds])
    with tempfile.TemporaryDirectory() as fixtures:
        terminals_fixture(fixtures, terminals)
        proc, base = start_mock(binary, "--fixtures", fixtures)
        try:
            creds, tasks = [], []  # each terminal's token and sale, and its task
            for i in range(terminals):
                tok = token(base, f"pos{i}@example.com", 800000 + i)
                sale = dict(SALE, apiKey=f"K{i:08d}", Tid=str(800000 + i))
                headers = {"Authorization": "Bearer " + tok, "Content-Type": "application/json"}
                _, made = call(base + "/v1/tasks/TRANSACTION", json.dumps(sale).encode(), headers)
                creds.append((tok, sale))
                tasks.append(json.loads(made)["taskId"])
            def spread(k, verb):
                """GET or POST, each request on the next of the first k terminals. Every request is written once,
                before the run, and request() hands the next one out: wrk then costs the same whatever k, so
                k = 1 is the reference. (Formatting each request in request() made wrk the bottleneck: at
                1 000 terminals its own time per GET rose 14 %, and it ran at 0.97 of its core.)"""
                tokens = ", ".join(f'"{t}"' for t, _ in creds[:k])
                ids = ", ".join(f'"{t}"' for t in tasks[:k])
                bodies = ", ".join("'" + json.dumps(sl) + "'" for _, sl in creds[:k])
                made = {"get": 'wrk.format("GET", "/v1/tasks/" .. ids[i], {["Authorization"] = "Bearer " .. tokens[i]})',
                        "post": 'wrk.format("POST", "/v1/tasks/TRANSACTION", {["Authorization"] = "Bearer " .. tokens[i], '
                                '["Content-Type"] = "application/json"}, bodies[i])'}[verb]
                lua = f"""local tokens = {{{tokens}}}
local ids = {{{ids}}}
local bodies = {{{bodies}}}
local requests = {{}}
for i = 1, #tokens do requests[i] = {made} end
local n = 0
request = function()
  n = n % #requests + 1
  return requests[n]
end
"""
                return wrk_script_rps(base + "/", seconds, lua)

            def rounds(verb):
                """One terminal and all of them in turn, `SCALE_ROUNDS` times: the medians, and the median of the
                per-round ratios."""
                ones, alls = [], []
                for _ in range(SCALE_ROUNDS):
                    ones.append(spread(1, verb))
                    alls.append(spread(terminals, verb))
                return (statistics.median(o[0] for o in ones), statistics.median(k[0] for k in alls),
                        sum(o[1] + k[1] for o, k in zip(ones, alls)),
                        median_ratio([o[0] for o in ones], [k[0] for k in alls]))

            # Every GET before any POST: the POSTs create more tasks than --max-tasks keeps, and the oldest
            # final ones (the tasks the GETs read) would be evicted, leaving the GETs to measure 404s.
            get1, getk, bad_get, get_ratio = rounds("get")
            # Every POST run at the caps (each new task evicts the oldest): else the first would run on a
            # nearly empty mock and the later ones on a full one, and the ratio would mix in the held case's cost.
            preload = create_tasks(base, creds[0][0], held, creds[0][1])
            post1, postk, bad_post, post_ratio = rounds("post")
            one = {"get_rps": round(get1), "post_rps": round(post1), "non_2xx": preload}
            out["terminals"] = {"get_rps": round(getk), "post_rps": round(postk), "non_2xx": bad_get + bad_post,
                                "count": terminals, "one_terminal": one, "rounds": SCALE_ROUNDS,
                                "get_ratio": get_ratio, "post_ratio": post_ratio}
        finally:
            proc.kill()
            proc.wait()
    return out


class sqlite_rows:
    """How many requests a state file logged (sqlite3 is in Python's standard library)."""

    def __init__(self, path):
        import sqlite3
        self.conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)

    def __enter__(self):
        return self.conn.execute("SELECT count(*) FROM requests").fetchone()[0]

    def __exit__(self, *exc):
        self.conn.close()


def peak_rss(binary, n, cap_mib=256):
    """The shipped binary with its default caps and journal: peak RSS while n tasks are created (issue 8)."""
    if not shutil.which("wrk"):
        raise SystemExit("bench: wrk is not installed (apt-get install wrk)")
    proc, base = start_mock(binary)
    peak, stop = [0], threading.Event()

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], rss_kb(proc.pid))
            stop.wait(0.1)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        t0 = time.perf_counter()
        bad = create_tasks(base, token(base), n)
        secs = time.perf_counter() - t0
    finally:
        stop.set()
        sampler.join()
        proc.kill()
        proc.wait()
    mib = peak[0] / 1024
    met = mib <= cap_mib and bad == 0
    print(f"binary memory: {n} tasks created ({bad} not 200) in {secs:.0f} s; peak RSS {mib:.0f} MiB "
          f"(target {cap_mib} MiB): {'met' if met else 'NOT MET'}")
    return 0 if met else 1


def suite(conformance, runs=3):
    walls, report = [], None
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "r.json")
        for _ in range(runs):
            t0 = time.perf_counter()
            subprocess.run([conformance, "run", "--report", f"json={path}"], cwd=ROOT,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            walls.append(time.perf_counter() - t0)
            with open(path) as f:
                report = json.load(f)
    durations = [s.get("duration_ms", 0) for s in report["scenarios"]]
    verdicts = [s.get("verdict") for s in report["scenarios"]]
    return {"runs": runs, "wall_s_median": round(statistics.median(walls), 3), "scenarios": len(durations),
            "passed": verdicts.count("passed"),
            "per_scenario_ms_mean": round(statistics.mean(durations), 2) if durations else None,
            "per_scenario_ms_max": max(durations) if durations else None,
            "wall_per_scenario_ms": round(1000 * statistics.median(walls) / max(1, len(durations)), 2)}


def row(peers, server, scenario):
    return next((r for r in peers if r["server"] == server and r["scenario"] == scenario), None)


def peer_ratio(mine, peer):
    """Our req/s over a peer's, as the harness takes every ratio: the median of the per-round ratios (the two ran
    back to back in each round, so each ratio is taken within one time window), and the note saying so with the
    ratio of the two median req/s beside it. Only the ratio of the medians when the rounds are not known."""
    of_medians = mine["rps_median"] / peer["rps_median"]
    ours, theirs = mine.get("rps_by_round") or {}, peer.get("rps_by_round") or {}
    rounds = [r for r in ours if theirs.get(r)]
    if not rounds:
        return of_medians, "same run; ratio of the median req/s"
    ratio = median_ratio([theirs[r] for r in rounds], [ours[r] for r in rounds])
    return ratio, (f"same run; median of {len(rounds)} per-round ratios (ratio of the median req/s: "
                   f"{of_medians:.3f}x)")


def targets(peers, suite_r, mem):
    """Issue 19's targets, each as met / NOT MET: against the baseline and every peer of this run (httpmock runs
    in `make bench` too), tail latency, start-up, idle memory, the suite, memory per task."""
    out = []

    def add(name, goal, value, met, note=""):
        out.append({"target": name, "goal": goal, "measured": value, "met": met, "note": note})

    get, post = row(peers, "ours", "get"), row(peers, "ours", "post")
    if get:
        r = get["ratio_vs_baseline_get"]
        add("GET /v1/tasks/{id} vs baseline", ">= 1.0x", f"{r:.3f}x", r >= 1.0)
    if post:
        r = post["ratio_vs_baseline_same"]
        add("POST /v1/tasks/TRANSACTION vs baseline POST", "stated", f"{r:.3f}x", True)
    for verb, mine in (("GET", get), ("POST", post)):
        if not mine:
            continue
        for peer in sorted({p["server"] for p in peers} - {"baseline", "ours"}):
            p = row(peers, peer, verb.lower())
            if p and p.get("rps_median"):
                ratio, note = peer_ratio(mine, p)
                # three decimals, as median_ratio keeps: 0.998 printed as "1.00x" read as met
                add(f"{verb} vs {peer}", ">= 1.0x", f"{ratio:.3f}x", ratio >= 1.0, note)
        if verb == "GET" and not row(peers, "httpmock", "get"):
            ratio = mine["ratio_vs_baseline_get"] / HTTPMOCK_REFERENCE
            add("GET vs httpmock", ">= 1.0x", f"{ratio:.3f}x", ratio >= 1.0,
                "httpmock not run here: against the harness README's reference ratio")
    if post:
        spread = post["p99_ms"] / post["p50_ms"] if post["p50_ms"] else float("inf")
        add("POST p99 / p50", "<= 5", f"{spread:.1f} ({post['p99_ms']:.2f} / {post['p50_ms']:.2f} ms)",
            spread <= 5)
    if get:
        add("start-up to first answer", "< 20 ms", f"{get['startup_ms']:.0f} ms", get["startup_ms"] < 20)
        add("idle RSS", "< 12 MB", f"{get['idle_rss_mb']:.1f} MB", get["idle_rss_mb"] < 12)
    if suite_r:
        add("certification suite, embedded mock", "< 2 s wall",
            f"{suite_r['wall_s_median']:.2f} s ({suite_r['scenarios']} scenarios, "
            f"{suite_r['wall_per_scenario_ms']} ms each)", suite_r["wall_s_median"] < 2)
    if mem and "bytes_per_task" in mem:
        add("memory per stored final task (with its transaction)", "<= 2 KiB",
            f"{mem['bytes_per_task']} B", mem["bytes_per_task"] <= 2048)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--peers", action="store_true", help="full peer comparison (all peers, 2 rounds)")
    ap.add_argument("--mock", default=os.path.join(ROOT, "target/release/gptom-mock"))
    ap.add_argument("--conformance", default=os.path.join(ROOT, "target/release/gptom-conformance"))
    ap.add_argument("--tasks", type=int, default=90_000, help="tasks created for the memory figure")
    ap.add_argument("--out", default=os.path.join(ROOT, "target/bench/summary.json"))
    ap.add_argument("--peak-rss", type=int, metavar="N",
                    help="only: peak RSS of the binary while N tasks are created (make reliability); exit 1 over 256 MiB")
    a = ap.parse_args()
    if a.peak_rss:
        return peak_rss(a.mock, a.peak_rss)
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    peers_json = os.path.join(os.path.dirname(a.out), "peers.json")
    port = free_port()
    cmd = [os.path.join(BENCH, "peers.sh"), "--json", peers_json,
           "--ours", f"{a.mock} --port {port} --seed 1 --latency instant", "--ours-url", f"http://127.0.0.1:{port}"]
    if not a.peers:
        # baseline, ours and httpmock (the static stub issue 19 measures against; installed on first use)
        # 5 rounds of 5 s, medians of the per-round ratios: one round moves ±15 % on these machines, and the
        # median of 3 still moved ±6 % between runs of the same code (POST vs httpmock 0.94-1.08 in runs 18-25)
        cmd[1:1] = ["--quick", "--reps", "5", "--only", "baseline,ours,httpmock"]
    if subprocess.run(cmd).returncode != 0:
        raise SystemExit("bench: bench/harness/peers.sh failed (it needs wrk: apt-get install wrk); see above")
    with open(peers_json) as f:
        peers = json.load(f)
    peers = peers.get("summary", peers) if isinstance(peers, dict) else peers
    print("\n# certification suite (embedded mock, release build)", flush=True)
    suite_r = suite(a.conformance)
    print(json.dumps(suite_r))
    print("\n# memory per stored final task", flush=True)
    mem = memory_per_task(a.mock, a.tasks)
    print(json.dumps(mem))
    print("\n# --state DIR: throughput with and without it, and the restart that replays it", flush=True)
    state_r = state_cost(a.mock)
    print(json.dumps(state_r))
    print("\n# cost as the work grows: 100 000 tasks held, 1 000 terminals at once", flush=True)
    scale_r = scale_cost(a.mock)
    print(json.dumps(scale_r))
    print("\n# the web console: page weight, throughput with a console open", flush=True)
    console_r = console_cost(a.mock)
    print(json.dumps(console_r))
    result = targets(peers, suite_r, mem)
    for case, what in (("held", "with 100 000 tasks and transactions held vs the empty mock"),
                       ("terminals", "over 1 000 terminals at once vs one terminal (same wrk script)")):
        r = scale_r.get(case)
        if r:
            for verb in ("get", "post"):
                ratio = r[f"{verb}_ratio"]
                result.append({"target": f"{verb.upper()} {what}", "goal": ">= 0.95x",
                               "measured": f"{ratio}x", "met": ratio >= 0.95,
                               "note": f"same run; {r[f'{verb}_rps']} vs "
                                       f"{r.get('one_terminal', scale_r['empty'])[f'{verb}_rps']} req/s"
                                       + (f"; ratio: median of {r['rounds']} rounds" if "rounds" in r else "")
                                       + (f"; {r['non_2xx']} non-2xx" if r["non_2xx"] else "")})
    if "open_ratio" in console_r:
        result.append({"target": "GET with a console open vs none", "goal": "stated, not a target",
                       "measured": f"{console_r['open_ratio']}x", "met": True,
                       "note": f"page {console_r['page_bytes'] // 1024} KiB, no other request"})
    if "post_ratio" in state_r:
        result.append({"target": "--state: task creation / task reads vs in memory", "goal": "stated, not a target",
                       "measured": f"{state_r['post_ratio']}x / {state_r['get_ratio']}x", "met": True,
                       "note": f"restart replaying {state_r['replayed_rows']} requests: {state_r['restart_s']} s"})
    print("\n## issue 19 targets (one run; ratios only)\n")
    print("| target | goal | measured | met | note |\n|---|---|---|---|---|")
    for t in result:
        print(f"| {t['target']} | {t['goal']} | {t['measured']} | {'yes' if t['met'] else 'NOT MET'} | {t['note']} |")
    with open(a.out, "w") as f:
        json.dump({"peers": peers, "suite": suite_r, "memory": mem, "state": state_r, "console": console_r,
                   "scale": scale_r,
                   "targets": result}, f,
                  indent=2)
    print(f"\nwrote {os.path.relpath(a.out, ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
