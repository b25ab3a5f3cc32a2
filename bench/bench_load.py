"""A flood day: many connected boards and consoles, a steady stream of reports,
alerts signed for in parallel. Two daphne processes and a worker on one
PostgreSQL and one Redis, as in docker-compose.yml.

Prints: end-to-end latency (report sent -> its event received by every staff
board; alert sent -> received by its department's consoles), error rate, and
server memory per connection.

Run: make bench BENCH=load   (defaults: 2,000 clients, 50 reports/s for 5 minutes)
Options: --boards 200 --consoles 1800 --rate 50 --seconds 300 --processes 2
"""

import argparse
import asyncio
import http.client
import json
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from common import cpu_shares, ensure_services, free_port, machine_cpu_seconds, pct, setup_django, start, start_daphne

ensure_services(__file__)
setup_django()

from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402
from websockets.asyncio.client import connect  # noqa: E402

from dutyops.models import ApiToken, Department, Person  # noqa: E402

SUBTYPES = [
    ("natural_disaster", "flood"),
    ("accident_disaster", "fire"),
    ("accident_disaster", "traffic"),
    ("public_health", "food_poisoning"),
    ("natural_disaster", "geological"),
]


def prepare(consoles):
    """Demo data, one officer token, and liaisons spread over the departments."""
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    officer = Person.objects.get(username="officer1")
    departments = list(Department.objects.filter(kind="department").order_by("pk")[:12])
    liaisons = []
    for i in range(consoles):
        dept = departments[i % len(departments)]
        person, created = Person.objects.get_or_create(
            username=f"load-liaison-{i}", defaults={"full_name": f"压测联络员{i}", "department": dept}
        )
        if created:
            person.set_roles(["liaison"])
        liaisons.append((dept.pk, ApiToken.issue(person)[1]))
    return ApiToken.issue(officer)[1], departments, liaisons


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS"))


class Fleet:
    """Every WebSocket client; records when each one received what."""

    def __init__(self):
        self.received = {}  # (role, event type, object id) -> receive times
        self.sockets, self.tasks = [], []

    async def add(self, url, n, role):
        async def one():
            ws = await connect(url, open_timeout=60, max_queue=None, ping_interval=None)
            self.sockets.append(ws)
            async for raw in ws:
                now = time.perf_counter()
                message = json.loads(raw)
                if message["type"] in ("report.created", "alert.created"):
                    self.received.setdefault((role, message["type"], message["data"]["id"]), []).append(now)

        target = len(self.sockets) + n
        self.tasks += [asyncio.create_task(one()) for _ in range(n)]
        while len(self.sockets) < target:
            await asyncio.sleep(0.05)


class Flood:
    """The load: reports posted at a steady rate, every tenth followed by an alert its
    department's liaison signs for; when each was sent, to match what the sockets receive."""

    def __init__(self, ports, officer_token, departments, liaisons):
        self.ports, self.officer_token = ports, officer_token
        self.departments, self.liaisons = departments, liaisons
        self.sent, self.errors, self.answered, self.lock = {}, [], [], threading.Lock()
        self.cores = {}
        self.local = threading.local()

    def post(self, conn, path, body, token):
        conn.request(
            "POST", path, json.dumps(body), {"Authorization": f"Token {token}", "Content-Type": "application/json"}
        )
        response = conn.getresponse()
        payload = response.read()
        return response.status, payload

    def conn_for(self, i):
        if not hasattr(self.local, "conn"):
            self.local.conn = http.client.HTTPConnection("127.0.0.1", self.ports[i % len(self.ports)], timeout=30)
        return self.local.conn

    def one_report(self, i):
        category, subtype = SUBTYPES[i % len(SUBTYPES)]
        body = {
            "channel": "phone",
            "kind": "first",
            "title": f"压测事件{i}",
            "description": "群众来电：现场情况紧急",
            "category": category,
            "subtype": subtype,
            "grade": "IV",
            "reporter_phone": "13800000000",
            "latitude": 28.1 + (i % 97) / 500,
            "longitude": 112.85 + (i % 89) / 450,
        }
        conn = self.conn_for(i)
        t0 = time.perf_counter()
        try:
            status, payload = self.post(conn, "/api/v1/reports/", body, self.officer_token)
        except (OSError, http.client.HTTPException) as exc:
            self.local.__dict__.pop("conn", None)
            self.errors.append(str(exc))
            return
        if status != 201:
            self.errors.append(f"report {status}")
            return
        report = json.loads(payload)
        with self.lock:
            self.sent[("board", "report.created", report["id"])] = t0
            self.answered.append((time.perf_counter() - t0) * 1000)
        if i % 10 == 0:  # every tenth report: an alert to a department, signed for by its liaison
            self.alert_and_sign(conn, i, report)

    def alert_and_sign(self, conn, i, report):
        dept = self.departments[(i // 10) % len(self.departments)]
        t0 = time.perf_counter()
        body = {"incident": report["incident"], "department": dept.pk, "duty": f"压测任务{i}"}
        status, payload = self.post(conn, "/api/v1/alerts/", body, self.officer_token)
        if status != 201:
            self.errors.append(f"alert {status}")
            return
        alert = json.loads(payload)
        with self.lock:
            self.sent[("console", "alert.created", alert["id"])] = t0
        token = next(t for d, t in self.liaisons if d == dept.pk)
        status, _ = self.post(conn, f"/api/v1/alerts/{alert['id']}/acknowledge/", {}, token)
        if status != 200:
            self.errors.append(f"ack {status}")

    async def run(self, args, servers):
        fleet = Fleet()
        for i, port in enumerate(self.ports):
            share = args.boards // len(self.ports) + (i < args.boards % len(self.ports))
            await fleet.add(f"ws://127.0.0.1:{port}/ws/events/?token={self.officer_token}", share, "board")
        for i, (_, token) in enumerate(self.liaisons):
            await fleet.add(f"ws://127.0.0.1:{self.ports[i % len(self.ports)]}/ws/events/?token={token}", 1, "console")
        await asyncio.sleep(2)
        rss_after = sum(rss_kib(s.pid) for s in servers)
        pool = ThreadPoolExecutor(max_workers=20)
        loop = asyncio.get_running_loop()
        began, n, cpu_before = time.perf_counter(), 0, machine_cpu_seconds()
        while time.perf_counter() - began < args.seconds:
            n += 1
            loop.run_in_executor(pool, self.one_report, n)
            await asyncio.sleep(max(0, began + n / args.rate - time.perf_counter()))
        await loop.run_in_executor(None, pool.shutdown)
        self.cores = cpu_shares(cpu_before, machine_cpu_seconds(), time.perf_counter() - began)
        # Let the backlog drain: wait until nothing has arrived for 5 s (at most 120 s).
        drained_by = time.perf_counter() + 120
        while time.perf_counter() < drained_by:
            before = sum(len(v) for v in fleet.received.values())
            await asyncio.sleep(5)
            if sum(len(v) for v in fleet.received.values()) == before:
                break
        return fleet, rss_after, n


def print_results(args, flood, fleet, total, memory_kib):
    board_lat, everyone, lost, console_lat = [], [], 0, []
    for key, t0 in flood.sent.items():
        times = fleet.received.get(key, [])
        if key[0] == "console":
            console_lat += [(t - t0) * 1000 for t in times]
            continue
        board_lat += [(t - t0) * 1000 for t in times]
        lost += max(0, args.boards - len(times))
        if len(times) == args.boards:
            everyone.append((max(times) - t0) * 1000)
    clients = args.boards + args.consoles
    print(
        f"Flood day: {clients} clients ({args.boards} boards, {args.consoles} consoles) on {len(flood.ports)} daphne, "
        f"{args.rate:.0f} reports/s for {args.seconds:.0f} s ({total} reports, {total // 10} alerts signed)"
    )

    def line(label, values):
        if values:
            print(f"  {label:<24}median {pct(values, 50):.0f} ms   p99 {pct(values, 99):.0f} ms   (n={len(values)})")
        else:
            print(f"  {label:<24}none")

    line("report API answer", flood.answered)
    line("report -> every board", everyone)
    line("report -> one board", board_lat)
    line("alert -> its consoles", console_lat)
    errors = flood.errors
    print(
        f"  errors {len(errors)} of {total + 2 * (total // 10)} requests ({100 * len(errors) / max(1, total):.2f}%);"
        f" board deliveries lost {lost}"
    )
    print(f"  server memory per connection: {memory_kib / clients:.1f} KiB")
    cores = sorted(flood.cores.items(), key=lambda item: -item[1])
    print("  cores busy while sending: " + ", ".join(f"{label} {share:.2f}" for label, share in cores if share >= 0.01))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--boards", type=int, default=200, help="staff boards (receive everything)")
    parser.add_argument("--consoles", type=int, default=1800, help="department consoles (liaisons)")
    parser.add_argument("--rate", type=float, default=50, help="reports per second")
    parser.add_argument("--seconds", type=float, default=300, help="the issue asks for 5 minutes")
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()

    officer_token, departments, liaisons = prepare(args.consoles)
    connections.close_all()
    ports = [free_port() for _ in range(args.processes)]
    servers = [start_daphne(p) for p in ports]
    worker = start([sys.executable, "manage.py", "run_worker"], None, log_name="bench-load-worker.log")
    rss_before = sum(rss_kib(s.pid) for s in servers)
    flood = Flood(ports, officer_token, departments, liaisons)
    try:
        fleet, rss_after, total = asyncio.run(flood.run(args, servers))
    finally:
        for proc in [*servers, worker]:
            proc.terminate()
    print_results(args, flood, fleet, total, rss_after - rss_before)


if __name__ == "__main__":
    main()
