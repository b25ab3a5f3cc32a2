"""Benchmark: the ops-room board's first load with 100,000 historical incidents
and 500 active ones (plus their unsigned alerts and a busy event stream).

Measures, through the real views (Django test client: routing, session auth,
rendering), the snapshot endpoint (/api/v1/board/snapshot/) and the board page
(/board/, which embeds the same snapshot): server time (median, p95) and the
number of SQL queries, which must not grow with the data.

Runs on DATABASE_URL (make bench: throwaway PostgreSQL) or, without it, on a
throwaway SQLite file under var/. Target: under 300 ms, constant query count.
HISTORY / ACTIVE / SAMPLES override the sizes.
"""

import os
import random
import statistics
import time
from datetime import timedelta

from common import setup_django

setup_django(sqlite_name="bench-board")

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from alerts.models import Alert  # noqa: E402
from dutyops.models import Department, Person  # noqa: E402
from incidents.models import Incident  # noqa: E402
from realtime.models import Event  # noqa: E402

HISTORY = int(os.environ.get("HISTORY", "100000"))
ACTIVE = int(os.environ.get("ACTIVE", "500"))
SAMPLES = int(os.environ.get("SAMPLES", "30"))
TAG = f"BENCH-BOARD-{int(time.time())}"
CATEGORIES = ["natural_disaster", "accident_disaster", "public_health", "social_security"]
GRADES = ["I", "II", "III", "IV", None]


def populate():
    from duty import seed as seed_duty
    from dutyops import seed as org_seed

    org_seed.seed()
    seed_duty.seed()
    rng = random.Random(7)
    now = timezone.now()
    office = Department.objects.get(code="LJ-ZBS")
    departments = list(Department.objects.exclude(pk=office.pk))
    officer = Person.objects.get(username="officer1")
    t0 = time.perf_counter()
    batch = []
    for n in range(HISTORY):
        at = now - timedelta(minutes=rng.randint(60 * 24, 60 * 24 * 365 * 3))
        batch.append(
            Incident(
                title=f"{TAG} 历史事件 {n}",
                status="closed",
                category=rng.choice(CATEGORIES),
                grade=rng.choice(GRADES),
                reported_at=at,
                closed_at=at + timedelta(hours=6),
                duty_room=office,
                created_by=officer,
            )  # fmt: skip
        )
        if len(batch) == 5000:
            Incident.objects.bulk_create(batch)
            batch = []
    active = []
    for n in range(ACTIVE):
        active.append(
            Incident(
                title=f"{TAG} 在办事件 {n}",
                status=rng.choice(["received", "verifying", "responding"]),
                category=rng.choice(CATEGORIES),
                grade=rng.choice(GRADES),
                duty_room=office,
                created_by=officer,
                latitude=28.1 + rng.random() * 0.25,
                longitude=112.85 + rng.random() * 0.25,
                reported_at=now - timedelta(minutes=rng.randint(1, 600)),
                next_report_due_at=now + timedelta(minutes=rng.randint(-30, 240)),
            )  # fmt: skip
        )
    Incident.objects.bulk_create(batch + active)
    active = list(Incident.objects.filter(title__startswith=f"{TAG} 在办"))
    alerts = []
    for inc in active:
        dept = rng.choice(departments)
        created = inc.reported_at
        alerts.append(
            Alert(
                incident=inc,
                department=dept,
                duty="核实情况并反馈",
                created_at=created,
                created_by=officer,
                ack_due_at=created + timedelta(minutes=30),
                feedback_due_at=created + timedelta(hours=4),
                first_feedback_due_at=created + timedelta(hours=4),
            )  # fmt: skip
        )
    Alert.objects.bulk_create(alerts)
    Event.objects.bulk_create(
        Event(type="incident.updated", at=now, data={"id": i, "summary": f"更新 {i}"}) for i in range(20000)
    )
    print(f"populated {HISTORY} historical + {ACTIVE} active incidents, {len(alerts)} alerts, 20000 events "
          f"in {time.perf_counter() - t0:.1f} s ({connection.vendor})")  # fmt: skip


def measure(client, path):
    times, queries = [], set()
    for i in range(SAMPLES + 3):
        with CaptureQueriesContext(connection) as ctx:
            t = time.perf_counter()
            response = client.get(path)
            elapsed = (time.perf_counter() - t) * 1000
        assert response.status_code == 200, (path, response.status_code)
        if i >= 3:  # warm-up
            times.append(elapsed)
            queries.add(len(ctx.captured_queries))
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))], sorted(queries), len(response.content)


def main():
    populate()
    admin = Person.objects.get(username="admin")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(admin)
    ok = True
    for label, path in (("snapshot /api/v1/board/snapshot/", "/api/v1/board/snapshot/"), ("page /board/", "/board/")):
        median, p95, queries, size = measure(client, path)
        ok &= p95 < 300 and len(queries) == 1
        print(f"{label:34s} median {median:6.1f} ms  p95 {p95:6.1f} ms  queries {queries}  {size / 1024:.0f} KiB")
    # The query count does not depend on the data: the same with an empty picture.
    Alert.objects.filter(incident__title__startswith=TAG).delete()
    Incident.objects.filter(title__startswith=f"{TAG} 在办").update(status="closed")
    _, _, empty_queries, _ = measure(client, "/api/v1/board/snapshot/")
    print(f"snapshot with no active incidents: queries {empty_queries}")
    print(f"target: p95 < 300 ms, constant query count -> {'OK' if ok else 'MISSED'}")


if __name__ == "__main__":
    main()
