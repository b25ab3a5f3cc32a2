"""Benchmark: escalation timer accuracy with 10,000 pending timers, and sign-for throughput.

1. Dispatches 1,250 alerts through the real service (8 timers each: sign-for and
   feedback deadlines plus three chasing steps per phase = 10,000 pending timers),
   spreads their due times over WINDOW seconds (default 240: ~42 steps/s, far
   above a real office's load; WINDOW=20 is a 500/s burst that measures capacity),
   starts real `manage.py run_worker` processes (WORKERS, default 2) and reports how late each timer fired
   (fired_at - due_at): median, p99, max. Every step does the real work: locks
   the alert, resolves targets, records the chase and emits the event.
2. Starts daphne and signs for 1,000 alerts over HTTP from CONCURRENCY (default
   16) clients at once: acknowledgements per second.
3. "Gateway hangs": the same escalation timers (GW_ALERTS alerts, due over
   GW_WINDOW seconds) with no outbound channel, then with an SMS channel whose
   gateway (a real local HTTP server) accepts every request and never answers
   (20 s timeout): every alert and every reminder queues a delivery to it.
   GW_ROUNDS rounds in alternation, same run; lateness median and p99 of each.

Runs on DATABASE_URL (make bench: throwaway PostgreSQL + Redis) or, without it,
on a throwaway SQLite file. Target: p99 lateness under 5 s.
"""

import datetime as dt
import os
import statistics
import subprocess
import threading
import time
import urllib.request

from common import free_port, pct, setup_django, start_daphne, start_worker

setup_django(sqlite_name="bench-timers")

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

ALERTS = int(os.environ.get("ALERTS", "1250"))
WINDOW = float(os.environ.get("WINDOW", "240"))  # seconds over which the timers come due (WINDOW=20: a burst)
LEAD = float(os.environ.get("LEAD", "8"))  # seconds before the first one is due (workers start meanwhile)
WORKERS = int(os.environ.get("WORKERS", "2"))
SIGN_FORS = int(os.environ.get("SIGN_FORS", "1000"))
CONCURRENCY = int(os.environ.get("CONCURRENCY", "16"))


def child_env():
    return dict(os.environ, DJANGO_DEBUG="0", PYTHONUNBUFFERED="1", DUTYOPS_LOG_LEVEL="WARNING")


def setup():
    from dutyops.models import Department, Person, Timer
    from incidents.models import Incident

    Timer.objects.filter(kind__startswith="alerts.").delete()
    office, _ = Department.objects.get_or_create(
        code="B-OFFICE", defaults={"name": "压测总值班室", "kind": "duty_office"}
    )
    dept, _ = Department.objects.get_or_create(code="B-DEPT", defaults={"name": "压测部门", "parent": office})
    liaisons = []
    for n in range(CONCURRENCY):
        person, created = Person.objects.get_or_create(
            username=f"bench-liaison-{n}", defaults={"department": dept, "full_name": f"压测联络员{n}"}
        )
        if created:
            person.set_roles(["liaison"])
        liaisons.append(person)
    # About ten alerts per incident, as in real activations (an incident's audience is looked up per event).
    incidents = [
        Incident.objects.create(title=f"压测事件{n}", category="accident_disaster") for n in range(max(1, ALERTS // 10))
    ]
    return dept, incidents, liaisons


def bench_timers(dept, incidents, alerts_n=ALERTS, window=WINDOW):
    from alerts import services
    from dutyops.models import Timer

    last_timer = Timer.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    t0 = time.monotonic()
    alerts = [
        services.dispatch_alert(
            incident=incidents[n % len(incidents)], department=dept, duty=f"压测任务{n}", actor=None, source="manual"
        ).pk
        for n in range(alerts_n)
    ]
    print(f"dispatched {len(alerts)} alerts in {time.monotonic() - t0:.1f} s")
    timers = list(
        Timer.objects.filter(kind__in=["alerts.deadline", "alerts.step"], pk__gt=last_timer).values_list(
            "pk", flat=True
        )
    )
    start = timezone.now() + dt.timedelta(seconds=LEAD + 5)
    step = window / max(1, len(timers))
    # Spread the due times evenly over the window, in one statement per chunk.
    from django.db import transaction

    with transaction.atomic():
        for j, pk in enumerate(timers):
            Timer.objects.filter(pk=pk).update(due_at=start + dt.timedelta(seconds=j * step))
    print(
        f"{len(timers)} pending timers due over {window:g} s ({len(timers) / window:.0f}/s) from now+{LEAD:g} s; "
        f"{WORKERS} worker(s)"
    )
    connection.close()
    procs = [start_worker(env=child_env()) for _ in range(WORKERS)]
    try:
        deadline = time.monotonic() + LEAD + window + 300
        pending = Timer.objects.filter(pk__in=timers, fired_at__isnull=True, cancelled_at__isnull=True)
        while time.monotonic() < deadline and pending.exists():
            time.sleep(0.5)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(30)  # a worker finishes the timer in hand first
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(10)
    rows = list(Timer.objects.filter(pk__in=timers, fired_at__isnull=False).values_list("due_at", "fired_at"))
    late = [(f - d).total_seconds() for d, f in rows]
    from alerts.models import Chase

    chases = Chase.objects.filter(alert__in=alerts).count()
    span = (max(f for _d, f in rows) - min(f for _d, f in rows)).total_seconds() if rows else 0
    print(
        f"timers fired: {len(rows)}/{len(timers)} in {span:.1f} s ({len(rows) / max(span, 0.001):.0f}/s); "
        f"chase steps recorded: {chases} (expected {alerts_n * 6}, each once)"
    )
    print(
        f"lateness: median {statistics.median(late):.3f} s, p99 {pct(late, 99):.3f} s, max {max(late):.3f} s"
        f"  -> {'OK' if pct(late, 99) < 5 else 'OVER'} (target p99 < 5 s)"
    )
    return alerts, late


GW_ALERTS = int(os.environ.get("GW_ALERTS", "250"))
GW_WINDOW = float(os.environ.get("GW_WINDOW", "40"))
GW_ROUNDS = int(os.environ.get("GW_ROUNDS", "2"))


class HangingGateway:
    """A real HTTP server that accepts every request and never answers."""

    def __init__(self):
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.requests, self.release = [0], threading.Event()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                gateway.requests[0] += 1
                gateway.release.wait(600)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/sms"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def bench_gateway_hangs(dept, incidents):
    """Escalation timer lateness without and with a gateway that never answers, in alternation."""
    from alerts.models import Delivery, NotificationChannel

    gateway = HangingGateway()
    try:
        from alerts.models import WebhookTarget
    except ImportError:  # the code before issue 16 (the "before" figure): no allowlist, sends on the timer loop
        pass
    else:
        WebhookTarget.objects.get_or_create(host="127.0.0.1", defaults={"allow_internal": True})
    channel, _ = NotificationChannel.objects.update_or_create(
        name="压测短信网关（不应答）",
        defaults={"kind": "sms", "url": gateway.url, "timeout_seconds": 20, "max_attempts": 3, "enabled": False},
    )
    results = {"without": [], "with": []}
    try:
        for n in range(GW_ROUNDS):
            for label in ("without", "with"):
                NotificationChannel.objects.filter(pk=channel.pk).update(enabled=label == "with")
                print(f"-- gateway hangs, round {n + 1}: {label} a hanging gateway")
                _alerts, late = bench_timers(dept, incidents, GW_ALERTS, GW_WINDOW)
                results[label].extend(late)
        NotificationChannel.objects.filter(pk=channel.pk).update(enabled=False)
    finally:
        gateway.close()
    deliveries = Delivery.objects.filter(channel=channel)
    print(
        f"gateway: {gateway.requests[0]} requests held unanswered; deliveries queued {deliveries.count()}, "
        f"sent {deliveries.filter(status='sent').count()}"
    )
    for label, late in results.items():
        print(
            f"gateway hangs: {label:>7} a hanging gateway: lateness median {statistics.median(late):.3f} s, "
            f"p99 {pct(late, 99):.3f} s, max {max(late):.3f} s over {len(late)} timers"
            f"  -> {'OK' if pct(late, 99) < 5 else 'OVER'} (target p99 < 5 s)"
        )


def bench_sign_for(alerts, liaisons):
    tokens = [Token.objects.get_or_create(user=p)[0].key for p in liaisons]
    connection.close()
    port = free_port()
    daphne = start_daphne(port, env=child_env())
    try:
        todo = alerts[:SIGN_FORS]
        lock, cursor, errors, latencies = threading.Lock(), [0], [], []

        def client(token):
            while True:
                with lock:
                    if cursor[0] >= len(todo):
                        return
                    pk = todo[cursor[0]]
                    cursor[0] += 1
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/api/v1/alerts/{pk}/acknowledge/",
                    method="POST",
                    headers={"Authorization": f"Token {token}"},
                )
                t = time.monotonic()
                try:
                    with urllib.request.urlopen(request, timeout=60) as response:
                        response.read()
                except Exception as exc:  # noqa: BLE001
                    errors.append(exc)
                latencies.append(time.monotonic() - t)

        threads = [threading.Thread(target=client, args=(tokens[i % len(tokens)],)) for i in range(CONCURRENCY)]
        t0 = time.monotonic()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        elapsed = time.monotonic() - t0
    finally:
        daphne.terminate()
        daphne.wait(10)
    print(
        f"sign-for: {len(todo)} acknowledgements in {elapsed:.1f} s = {len(todo) / elapsed:.0f}/s "
        f"({CONCURRENCY} concurrent clients, 1 daphne); latency median {statistics.median(latencies) * 1000:.0f} ms, "
        f"p99 {pct(latencies, 99) * 1000:.0f} ms; errors {len(errors)}"
    )


def main():
    print(f"database: {connection.vendor}")
    dept, incidents, liaisons = setup()
    if os.environ.get("ONLY") != "gateway":
        alerts, _late = bench_timers(dept, incidents)
        bench_sign_for(alerts, liaisons)
    bench_gateway_hangs(dept, incidents)


if __name__ == "__main__":
    main()
