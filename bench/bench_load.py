"""A flood day: many connected boards and consoles, a steady stream of reports,
alerts signed for in parallel. Two daphne processes and a worker on one
PostgreSQL and one Redis, as in docker-compose.yml.

The load generator is three processes: two hold the sockets (only frames that name
a watched event are decoded) and one posts on its schedule with 20 threads, so
that neither the schedule nor the time an event is noted waits on the other.

Prints: end-to-end latency (report sent -> its event received by every staff
board; alert sent -> received by its department's consoles), error rate, and
server memory per connection.

Run: make bench BENCH=load   (defaults: 2,000 clients, 50 reports/s for 5 minutes)
Options: --boards 200 --consoles 1800 --rate 50 --seconds 300 --processes 2 --readers 2
--timeline 10: also the every-board latency per 10 s window (is the p99 a steady tail or stalls?)
"""

import argparse
import asyncio
import http.client
import json
import multiprocessing
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


WATCHED = ("report.created", "alert.created")


def read_sockets(sockets, connected, drain, results):
    """One reader process: holds its share of the sockets and notes when each watched
    event arrives. Only frames that name a watched type are parsed, so the time noted is
    the server's, not this process's backlog of JSON to decode."""

    async def run():
        received, opened, gate = {}, [], asyncio.Semaphore(50)

        async def one(url, role):
            async with gate:
                ws = await connect(url, open_timeout=120, max_queue=None, ping_interval=None)
            opened.append(ws)
            async for raw in ws:
                now = time.perf_counter()
                if '"report.created"' in raw or '"alert.created"' in raw:
                    message = json.loads(raw)
                    if message["type"] in WATCHED:
                        received.setdefault((role, message["type"], message["data"]["id"]), []).append(now)

        tasks = [asyncio.create_task(one(url, role)) for url, role in sockets]
        while len(opened) < len(sockets):
            await asyncio.sleep(0.05)
        connected.set()
        while not drain.is_set():
            await asyncio.sleep(0.2)
        # Let the backlog drain: until nothing has arrived for 5 s (at most 120 s).
        drained_by = time.perf_counter() + 120
        while time.perf_counter() < drained_by:
            before = sum(map(len, received.values()))
            await asyncio.sleep(5)
            if sum(map(len, received.values())) == before:
                break
        for task in tasks:
            task.cancel()
        results.put(received)

    asyncio.run(run())


class Flood:
    """The load, in its own process: reports posted at a steady rate by 20 threads, every
    tenth followed by an alert its department's liaison signs for; when each was sent
    (time.perf_counter() is the machine's monotonic clock, the same in every process)."""

    def __init__(self, ports, officer_token, departments, liaisons):
        self.ports, self.officer_token = ports, officer_token
        self.departments = [(d.pk, d.name) for d in departments]
        self.liaisons = liaisons
        self.sent, self.errors, self.answered, self.lock = {}, [], [], threading.Lock()
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
        dept = self.departments[(i // 10) % len(self.departments)][0]
        t0 = time.perf_counter()
        body = {"incident": report["incident"], "department": dept, "duty": f"压测任务{i}"}
        status, payload = self.post(conn, "/api/v1/alerts/", body, self.officer_token)
        if status != 201:
            self.errors.append(f"alert {status}")
            return
        alert = json.loads(payload)
        with self.lock:
            self.sent[("console", "alert.created", alert["id"])] = t0
        token = next(t for d, t in self.liaisons if d == dept)
        status, _ = self.post(conn, f"/api/v1/alerts/{alert['id']}/acknowledge/", {}, token)
        if status != 200:
            self.errors.append(f"ack {status}")

    def post_all(self, rate, seconds, results):
        """The schedule: report n leaves at began + n / rate, whatever the answers do."""
        pool = ThreadPoolExecutor(max_workers=20)
        began, n = time.perf_counter(), 0
        while time.perf_counter() - began < seconds:
            n += 1
            pool.submit(self.one_report, n)
            time.sleep(max(0, began + n / rate - time.perf_counter()))
        pool.shutdown()
        results.put((self.sent, self.answered, self.errors, n))


def run(args, flood, servers, readers=2):
    """Readers connect every socket, then the poster sends; readers drain and report."""
    sockets = [
        (f"ws://127.0.0.1:{flood.ports[i % len(flood.ports)]}/ws/events/?token={flood.officer_token}", "board")
        for i in range(args.boards)
    ]
    sockets += [
        (f"ws://127.0.0.1:{flood.ports[i % len(flood.ports)]}/ws/events/?token={token}", "console")
        for i, (_, token) in enumerate(flood.liaisons)
    ]
    context = multiprocessing.get_context("fork")
    drain, results = context.Event(), context.Queue()
    ready = [context.Event() for _ in range(readers)]
    procs = [
        context.Process(target=read_sockets, args=(sockets[k::readers], ready[k], drain, results))
        for k in range(readers)
    ]
    for proc in procs:
        proc.start()
    for event in ready:
        event.wait()
    time.sleep(2)
    rss_after = sum(rss_kib(s.pid) for s in servers)
    cpu_before, began = machine_cpu_seconds(), time.perf_counter()
    poster_results = context.Queue()
    poster = context.Process(target=flood.post_all, args=(args.rate, args.seconds, poster_results))
    poster.start()
    flood.sent, flood.answered, flood.errors, total = poster_results.get()
    flood.cores = cpu_shares(cpu_before, machine_cpu_seconds(), time.perf_counter() - began)
    poster.join()
    drain.set()
    received = {}
    for _ in procs:
        for key, times in results.get().items():
            received.setdefault(key, []).extend(times)
    for proc in procs:
        proc.join()
    return received, rss_after, total


def print_results(args, flood, received, total, memory_kib):
    board_lat, everyone, lost, console_lat, sent_at = [], [], 0, [], []
    for key, t0 in flood.sent.items():
        times = received.get(key, [])
        if key[0] == "console":
            console_lat += [(t - t0) * 1000 for t in times]
            continue
        board_lat += [(t - t0) * 1000 for t in times]
        lost += max(0, args.boards - len(times))
        if len(times) == args.boards:
            everyone.append((max(times) - t0) * 1000)
            sent_at.append(t0)
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
    if args.timeline:
        timeline(sent_at, everyone, args.timeline)


def timeline(sent_at, latencies, window):
    """Report -> every board by the window the report was sent in: whether the p99 is a
    steady tail or a few stalls (a p99 from one bad window has a cause to find)."""
    start = min(sent_at, default=0)
    windows = {}
    for t0, ms in zip(sent_at, latencies, strict=True):
        windows.setdefault(int((t0 - start) // window), []).append(ms)
    print(f"  report -> every board by {window:g} s window (from the first report): p50 / p99 / max ms, n")
    for k in sorted(windows):
        values = windows[k]
        print(
            f"    {k * window:>5.0f} s  {pct(values, 50):>6.0f} {pct(values, 99):>6.0f} {max(values):>6.0f}  {len(values)}"
        )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--boards", type=int, default=200, help="staff boards (receive everything)")
    parser.add_argument("--consoles", type=int, default=1800, help="department consoles (liaisons)")
    parser.add_argument("--rate", type=float, default=50, help="reports per second")
    parser.add_argument("--seconds", type=float, default=300, help="the issue asks for 5 minutes")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--readers", type=int, default=2, help="processes holding the sockets")
    parser.add_argument("--timeline", type=float, default=0, help="print every-board latency per window of N seconds")
    args = parser.parse_args()

    officer_token, departments, liaisons = prepare(args.consoles)
    connections.close_all()
    ports = [free_port() for _ in range(args.processes)]
    servers = [start_daphne(p) for p in ports]
    worker = start([sys.executable, "manage.py", "run_worker"], None, log_name="bench-load-worker.log")
    rss_before = sum(rss_kib(s.pid) for s in servers)
    flood = Flood(ports, officer_token, departments, liaisons)
    try:
        received, rss_after, total = run(args, flood, servers, args.readers)
    finally:
        for proc in [*servers, worker]:
            proc.terminate()
    print_results(args, flood, received, total, rss_after - rss_before)


if __name__ == "__main__":
    main()
