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

Run: make bench BENCH=fanout   (or with DATABASE_URL/REDIS_URL set: python bench/bench_fanout.py)
"""

import argparse
import asyncio
import http.client
import json
import sys
import time

from common import free_port, pct, setup_django, start, start_daphne, summary
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
            key = self.key_of(json.loads(raw))
            if key is not None:
                got[key] = now

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
    per_delivery, to_everyone, lost, leaked = [], [], 0, 0
    audience = sum(clients.expected)
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
        await asyncio.sleep(0.05)
    return per_delivery, to_everyone, lost, leaked


async def run_bare(port, n, writes):
    clients = Clients([f"ws://127.0.0.1:{port}/"] * n, lambda m: m.get("key"))
    await clients.open()
    async with connect(f"ws://127.0.0.1:{port}/publish") as pub:

        async def send(key):
            await pub.send(json.dumps({"seq": 0, "type": "bench", "key": key}))

        result = await measure(clients, send, writes)
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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", default="100,500,1000,2000")
    parser.add_argument("--writes", type=int, default=30)
    parser.add_argument("--mix", choices=["roles", "office"], default="roles")
    args = parser.parse_args()
    tokens, dept_id = prepare()
    bare_port, daphne_port = free_port(), free_port()
    bare = start([sys.executable, "bench/bare_server.py", str(bare_port)], bare_port, log_name="bench-bare.log")
    daphne = start_daphne(daphne_port)
    rows = []
    try:
        for n in [int(x) for x in args.clients.split(",")]:
            b = asyncio.run(run_bare(bare_port, n, args.writes))
            d = asyncio.run(run_dutyops(daphne_port, tokens, dept_id, n, args.writes, args.mix))
            rows.append((n, b, d))
    finally:
        bare.terminate()
        daphne.terminate()
    print(f"Live fan-out, {args.writes} writes per size, clients: {args.mix}, latency in ms (write sent -> received)")
    print(
        f"{'clients':>7} {'server':>8} {'median':>8} {'p99':>8} {'all-p99':>8} {'lost':>5} {'leaked':>6} {'p99 ratio':>9}"
    )
    for n, b, d in rows:
        sb, sd = summary(b[0]), summary(d[0])
        for name, s, r in (("bare", sb, b), ("dutyops", sd, d)):
            ratio = f"{sd['p99'] / sb['p99']:.2f}x" if name == "dutyops" else ""
            every = pct(r[1], 99) if r[1] else float("nan")
            print(f"{n:>7} {name:>8} {s['median']:>8.1f} {s['p99']:>8.1f} {every:>8.1f} {r[2]:>5} {r[3]:>6} {ratio:>9}")


if __name__ == "__main__":
    main()
