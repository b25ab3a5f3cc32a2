"""Live fan-out: write sent -> received by every client that may see it.

DutyOps (one daphne process, PostgreSQL + Redis from DATABASE_URL/REDIS_URL)
against a bare `websockets` broadcast server, measured in the same run.
A DutyOps write is an API call (PATCH a department) whose event every
connected client in its audience must receive; the bare write is one message to
the broadcast server, which every client receives. Prints median and p99 per
delivery, p99 of the time until the last client has it, lost deliveries, and the
p99 ratio.

The DutyOps clients are a mix of roles (issue 16): 40% the office (admins, the
office's duty officers, leaders: every event), 30% liaisons of the department
written (its events), 20% duty leaders of the bureau above it (their subtree),
10% liaisons of a sibling department, who must receive nothing (`leaked` counts
what they did). `--mix office` connects every client as the office (the old run).

`--trace` (off by default) has daphne stamp each write's way (realtime/trace.py)
and prints where the milliseconds went, stage by stage: median and p99.

`--processes 2` runs two daphne behind nginx (as docker-compose.yml does), and the
bare server as two processes behind the same nginx: clients and writes go through
the proxy, each write reaches both bare servers.

Run: make bench BENCH=fanout   (or with DATABASE_URL/REDIS_URL set: python bench/bench_fanout.py)
Examples: BENCH_ARGS="--clients 100,1000,3000 --trace"; BENCH_ARGS="--clients 3000,5000 --processes 2"
"""

import argparse
import asyncio
import http.client
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, free_port, pct, setup_django, start, start_daphne, summary
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidMessage

setup_django()


from dutyops.models import ApiToken, Department, Person  # noqa: E402

WARMUP = 3
SETTLE_SECONDS = 2  # boards connect once and then watch for hours: measure the steady state, not the connect storm


# (share of the clients, username, roles, department key, receives the write's event)
MIX = [
    (0.15, "bench-admin", ["admin"], "office", True),
    (0.15, "bench-officer", ["duty_officer"], "office", True),
    (0.10, "bench-leader", ["leader"], "office", True),
    (0.30, "bench-liaison", ["liaison"], "written", True),
    (0.20, "bench-room-leader", ["duty_leader"], "bureau", True),
    (0.10, "bench-other", ["liaison"], "sibling", False),
]


def prepare():
    """The departments (an office, a bureau, the department written below it, a sibling),
    one person per row of MIX; returns ({username: token}, the written department's id)."""
    office, _ = Department.objects.get_or_create(
        code="BENCH-OFFICE", defaults={"name": "压测总值班室", "kind": "duty_office"}
    )
    bureau, _ = Department.objects.get_or_create(code="BENCH-BUREAU", defaults={"name": "压测局", "parent": office})
    dept, _ = Department.objects.get_or_create(code="BENCH-FANOUT", defaults={"name": "压测单位", "parent": bureau})
    sibling, _ = Department.objects.get_or_create(code="BENCH-SIBLING", defaults={"name": "压测兄弟单位"})
    where = {"office": office, "bureau": bureau, "written": dept, "sibling": sibling}
    tokens = {}
    for _share, username, roles, key, _receives in MIX:
        person, _ = Person.objects.get_or_create(username=username, defaults={"full_name": username})
        person.department = where[key]
        person.save()
        person.set_roles(roles)
        tokens[username] = ApiToken.issue(person)[1]
    return tokens, dept.pk


def plan_clients(n, mix):
    """[(username, receives)] for n clients: the MIX shares, or every one the office's admin."""
    if mix == "office":
        return [("bench-admin", True)] * n
    out = []
    for share, username, _roles, _key, receives in MIX:
        out += [(username, receives)] * round(share * n)
    return (out + [("bench-admin", True)] * n)[:n]


async def _connect(url, attempts=5):
    """A client connection; on a loaded machine a burst of connects may overflow the
    listen backlog (reset before the handshake): try again, as a browser would."""
    for attempt in range(attempts):
        try:
            return await connect(url, open_timeout=30, max_queue=None, ping_interval=None)
        except (OSError, InvalidMessage):
            if attempt == attempts - 1:
                raise
            await asyncio.sleep(0.5 * (attempt + 1))
    return None


class Clients:
    """N WebSocket clients; each records when it received which write. `urls`: one per
    client; `expected`: whether each must receive the writes (the others must not)."""

    def __init__(self, urls, key_of, expected=None):
        self.urls, self.n, self.key_of = urls, len(urls), key_of
        self.expected = expected or [True] * self.n
        self.received = [{} for _ in range(self.n)]
        self.seq_of = {}  # write key -> the event's seq (to find its trace)
        self.sockets, self.tasks = [], []

    async def open(self):
        for start_i in range(0, self.n, 50):
            batch = await asyncio.gather(*[_connect(self.urls[i]) for i in range(start_i, min(self.n, start_i + 50))])
            self.sockets += batch
        self.tasks = [asyncio.create_task(self._recv(i, ws)) for i, ws in enumerate(self.sockets)]
        await asyncio.sleep(SETTLE_SECONDS)

    async def _recv(self, i, ws):
        got = self.received[i]
        async for raw in ws:
            now = time.perf_counter()
            message = json.loads(raw)
            key = self.key_of(message)
            if key is not None:
                got[key] = now
                self.seq_of[key] = message.get("seq")

    async def wait_all(self, key, timeout=5.0):
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if all(key in got for got, wanted in zip(self.received, self.expected, strict=True) if wanted):
                return True
            await asyncio.sleep(0.002)
        return False

    async def close(self):
        for t in self.tasks:
            t.cancel()
        await asyncio.gather(*[ws.close() for ws in self.sockets], return_exceptions=True)


async def measure(clients, send, writes):
    """Returns (per-delivery ms, time-to-everyone ms, lost, leaked, [(seq, sent wall time, receipt times)])."""
    per_delivery, to_everyone, lost, leaked, traced = [], [], 0, 0, []
    audience = sum(clients.expected)
    wall_minus_perf = time.time() - time.perf_counter()
    for i in range(WARMUP + writes):
        key = f"w{time.time_ns()}-{i}"
        t0 = time.perf_counter()
        await send(key)
        await clients.wait_all(key)
        if i < WARMUP:
            continue
        times = [
            got[key] - t0
            for got, wanted in zip(clients.received, clients.expected, strict=True)
            if wanted and key in got
        ]
        leaked += sum(
            1 for got, wanted in zip(clients.received, clients.expected, strict=True) if not wanted and key in got
        )
        lost += audience - len(times)
        per_delivery += [t * 1000 for t in times]
        if len(times) == audience:
            to_everyone.append(max(times) * 1000)
        if times:
            traced.append((clients.seq_of.get(key), t0 + wall_minus_perf, sorted(times)))
        await asyncio.sleep(0.05)
    return per_delivery, to_everyone, lost, leaked, traced


async def run_bare(port, publish_ports, n, writes):
    """Clients on `port` (the server, or the proxy in front of the servers); each
    write is one message to every server's /publish."""
    clients = Clients([f"ws://127.0.0.1:{port}/"] * n, lambda m: m.get("key"))
    await clients.open()
    publishers = [await connect(f"ws://127.0.0.1:{p}/publish") for p in publish_ports]

    async def send(key):
        message = json.dumps({"seq": 0, "type": "bench", "key": key})
        await asyncio.gather(*[pub.send(message) for pub in publishers])

    result = await measure(clients, send, writes)
    for pub in publishers:
        await pub.close()
    await clients.close()
    return result


async def run_dutyops(port, tokens, dept_id, n, writes, mix):
    planned = plan_clients(n, mix)
    clients = Clients(
        [f"ws://127.0.0.1:{port}/ws/events/?token={tokens[username]}" for username, _receives in planned],
        lambda m: m["data"].get("name") if m["type"] == "department.updated" else None,
        [receives for _username, receives in planned],
    )
    await clients.open()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Authorization": f"Token {tokens['bench-admin']}", "Content-Type": "application/json"}

    def patch(key):
        conn.request("PATCH", f"/api/v1/departments/{dept_id}/", body=json.dumps({"name": key}), headers=headers)
        response = conn.getresponse()
        response.read()
        assert response.status == 200, response.status

    async def send(key):
        await asyncio.to_thread(patch, key)

    result = await measure(clients, send, writes)
    conn.close()
    await clients.close()
    return result


STAGES = [
    ("request sent -> in the ASGI app (daphne parsed it)", "sent", "http_in"),
    ("-> in Django's thread (queue, thread hop)", "http_in", "django_in"),
    ("-> change recorded (auth, parsing, the write)", "django_in", "emit"),
    ("-> committed (append, commit)", "emit", "commit"),
    ("-> in the hub (publish, Redis or local hand-over)", "commit", "hub_in"),
    ("-> audience found", "hub_in", "audience"),
    ("-> rendered and framed", "audience", "framed"),
    ("-> handed to every socket", "framed", "written"),
    # The sockets are written one after another while the clients read: these overlap
    # the step above, so they are counted from the frame, not from the last write.
    ("framed -> first client has it", "framed", "first"),
    ("framed -> median client has it", "framed", "median"),
    ("framed -> last client has it", "framed", "last"),
]


def read_traces(path):
    """{seq: stamps} from the hubs' trace lines (realtime/trace.py)."""
    found = {}
    if path.exists():
        for line in path.read_text().splitlines():
            row = json.loads(line)
            found[row["seq"]] = row
    return found


def stage_table(traced, traces):
    """Median and p99 ms per stage over the writes whose trace was found."""
    per_stage = {label: [] for label, _a, _b in STAGES}
    for seq, sent, times in traced:
        row = traces.get(seq)
        if row is None:
            continue
        at = {**row, "sent": sent}
        at["first"], at["median"], at["last"] = (sent + times[0], sent + statistics.median(times), sent + times[-1])
        for label, a, b in STAGES:
            if a in at and b in at:
                per_stage[label].append((at[b] - at[a]) * 1000)
    return [(label, statistics.median(v), pct(v, 99), len(v)) for label, v in per_stage.items() if v]


class Proxy:
    """nginx in front of several servers, one listening port per upstream group."""

    def __init__(self, groups):
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        self.dir = Path(tempfile.mkdtemp(prefix="bench-nginx-"))
        self.ports = {}
        blocks = []
        for name, ports in groups.items():
            listen = self.ports[name] = free_port()
            upstream = "".join(f"server 127.0.0.1:{p};" for p in ports)
            blocks.append(
                f"upstream {name} {{ {upstream} }}\n"
                f"server {{ listen 127.0.0.1:{listen} backlog=4096; location / {{ proxy_pass http://{name};"
                " proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade;"
                " proxy_set_header Connection $connection_upgrade; proxy_set_header Host $host;"
                " proxy_read_timeout 1h; proxy_buffering off; } }\n"
            )
        user = "user root;" if os.geteuid() == 0 else ""
        (self.dir / "nginx.conf").write_text(
            f"{user} worker_processes auto; worker_rlimit_nofile 20000; pid {self.dir}/nginx.pid;\n"
            f"error_log {self.dir}/error.log;\nevents {{ worker_connections 16000; }}\n"
            "http { access_log off; map $http_upgrade $connection_upgrade { default upgrade; '' close; }\n"
            + "".join(blocks)
            + "}\n"
        )
        argv = [nginx, "-p", str(self.dir), "-c", str(self.dir / "nginx.conf"), "-e", str(self.dir / "error.log")]
        self.process = start([*argv, "-g", "daemon off;"], next(iter(self.ports.values())), log_name="bench-nginx.log")

    def terminate(self):
        self.process.terminate()
        self.process.wait(10)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", default="100,500,1000,2000")
    parser.add_argument("--writes", type=int, default=30)
    parser.add_argument("--mix", choices=["roles", "office"], default="roles")
    parser.add_argument(
        "--processes", type=int, default=1, help="daphne processes (and bare servers); 2+: behind nginx"
    )
    parser.add_argument("--trace", action="store_true", help="print where the milliseconds go (realtime/trace.py)")
    args = parser.parse_args()
    tokens, dept_id = prepare()
    trace_file = ROOT / "var" / "bench-live-trace.jsonl"
    trace_file.unlink(missing_ok=True)
    env = {**os.environ, "DUTYOPS_LIVE_TRACE": str(trace_file)} if args.trace else None
    bare_ports = [free_port() for _ in range(args.processes)]
    daphne_ports = [free_port() for _ in range(args.processes)]
    started = [
        start([sys.executable, "bench/bare_server.py", str(p)], p, log_name=f"bench-bare-{p}.log") for p in bare_ports
    ]
    started += [start_daphne(p, env=env) for p in daphne_ports]
    bare_port, daphne_port, proxy = bare_ports[0], daphne_ports[0], None
    if args.processes > 1:
        proxy = Proxy({"bare": bare_ports, "dutyops": daphne_ports})
        bare_port, daphne_port = proxy.ports["bare"], proxy.ports["dutyops"]
    rows = []
    try:
        for n in [int(x) for x in args.clients.split(",")]:
            b = asyncio.run(run_bare(bare_port, bare_ports, n, args.writes))
            d = asyncio.run(run_dutyops(daphne_port, tokens, dept_id, n, args.writes, args.mix))
            rows.append((n, b, d))
    finally:
        for process in started:
            process.terminate()
        if proxy is not None:
            proxy.terminate()
    where = f"{args.processes} daphne behind nginx" if args.processes > 1 else "one daphne"
    print(
        f"Live fan-out, {where}, {args.writes} writes per size, clients: {args.mix}, latency in ms (write sent -> received)"
    )
    print(
        f"{'clients':>7} {'server':>8} {'median':>8} {'p99':>8} {'all-p99':>8} {'lost':>5} {'leaked':>6} {'p99 ratio':>9}"
    )
    for n, b, d in rows:
        sb, sd = summary(b[0]), summary(d[0])
        for name, s, r in (("bare", sb, b), ("dutyops", sd, d)):
            ratio = f"{sd['p99'] / sb['p99']:.2f}x" if name == "dutyops" else ""
            every = pct(r[1], 99) if r[1] else float("nan")
            print(f"{n:>7} {name:>8} {s['median']:>8.1f} {s['p99']:>8.1f} {every:>8.1f} {r[2]:>5} {r[3]:>6} {ratio:>9}")
        pb, pd = summary(b[0]), summary(d[0])
        print(f"{n:>7} {'':>8} p50 ratio {pd['median'] / pb['median']:.2f}x")
    if args.trace:
        traces = read_traces(trace_file)
        for n, _b, d in rows:
            table = stage_table(d[4], traces)
            print(
                f"\nWhere the milliseconds go, {n} clients ({table[0][3] if table else 0} writes traced): median / p99 ms"
            )
            for label, median, p99, _count in table:
                print(f"  {label:<52} {median:>7.2f} {p99:>7.2f}")


if __name__ == "__main__":
    main()
