"""Benchmark: who is on duty now, on 200 duty rooms x 1 year of 24 h shifts.

1. Creates ROOMS (default 200) duty rooms, four people each and a daily
   rotation, then generates a year of roster per room through the real
   service (shifts, officers, check-in and shift-start timers, one event per
   room) and prints the generation time.
2. Measures `duty/now` latency (median, p99) at random rooms and instants of
   that year: through the selector alone, through the real API view (Django
   test client: URL routing, token auth, serializer, JSON), and over HTTP to
   a live daphne process (with /healthz on the same server as the baseline
   cost of HTTP + daphne + a database round trip).

Runs on DATABASE_URL (make bench: throwaway PostgreSQL) or, without it, on a
throwaway SQLite file under var/. Target: duty/now under 5 ms.
"""

import datetime as dt
import os
import random
import statistics
import time
import urllib.parse
import urllib.request

from common import free_port, pct, setup_django, start_daphne

setup_django(sqlite_name="bench-duty-now")

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from duty import selectors, services  # noqa: E402
from duty.models import Rotation, Shift  # noqa: E402
from dutyops.models import ApiToken, Department, Person, Role  # noqa: E402
from dutyops.times import local_tz  # noqa: E402

ROOMS = int(os.environ.get("ROOMS", "200"))
DAYS = int(os.environ.get("DAYS", "365"))
SAMPLES = int(os.environ.get("SAMPLES", "2000"))
HTTP_SAMPLES = int(os.environ.get("HTTP_SAMPLES", "500"))
TAG = f"BENCH{int(time.time())}"


def report(label, ms):
    print(f"  {label:<34} median {statistics.median(ms):6.2f} ms   p99 {pct(ms, 99):6.2f} ms   (n={len(ms)})")


def build():
    from django.contrib.auth.models import Group

    parent = Department.objects.create(code=f"{TAG}-ROOT", name="基准测试总值班室", kind="duty_office")
    rooms = Department.objects.bulk_create(
        [
            Department(code=f"{TAG}-{i:03d}", name=f"基准值班室{i:03d}", kind="township", parent=parent)
            for i in range(ROOMS)
        ]
    )
    people = []
    for i, room in enumerate(rooms):
        for k in range(4):
            p = Person(username=f"{TAG.lower()}-{i:03d}-{k}", full_name=f"值班员{i:03d}-{k}", department=room)
            p.set_unusable_password()
            people.append(p)
    people = Person.objects.bulk_create(people, batch_size=1000)
    Group.objects.get_or_create(name=Role.DUTY_OFFICER)
    rotations = Rotation.objects.bulk_create(
        [
            Rotation(
                duty_room=room,
                name="日常轮班",
                pattern=Rotation.Pattern.DAILY,
                officers_per_shift=2,
                leaders=[people[4 * i + 3].pk],
                officers=[people[4 * i + k].pk for k in range(3)],
            )
            for i, room in enumerate(rooms)
        ]
    )
    return rooms, rotations


def generate(rooms, rotations, first, last):
    """Every room's roster for the year, timed."""
    t0 = time.perf_counter()
    for rotation in rotations:
        services.generate_roster(rotation, first, last)
    elapsed = time.perf_counter() - t0
    shifts = Shift.objects.filter(duty_room__in=rooms).count()
    print(
        f"  roster generation: {shifts} shifts in {elapsed:.1f} s "
        f"({elapsed / ROOMS * 1000:.0f} ms per room for {DAYS} days, {shifts / elapsed:.0f} shifts/s)"
    )


def main():
    print(f"duty/now benchmark on {connection.vendor}: {ROOMS} rooms x {DAYS} days")
    rooms, rotations = build()
    first = dt.date(2026, 1, 1)
    last = first + dt.timedelta(days=DAYS - 1)
    generate(rooms, rotations, first, last)

    tz = local_tz()
    start = dt.datetime.combine(first, dt.time(8, 30), tz)
    span = (DAYS * 24 - 1) * 3600
    rng = random.Random(7)

    def probe():
        return rng.choice(rooms).pk, start + dt.timedelta(seconds=rng.uniform(0, span))

    # Warm up connections and caches.
    for _ in range(50):
        selectors.on_duty(*probe())

    ms = []
    misses = 0
    for _ in range(SAMPLES):
        room, at = probe()
        t = time.perf_counter()
        on = selectors.on_duty(room, at)
        _ = [p.full_name for p in on.officers] if on else None
        ms.append((time.perf_counter() - t) * 1000)
        misses += on is None
    report("selector on_duty()", ms)
    assert misses == 0, f"{misses} probes found nobody on duty"

    viewer = Person.objects.create(username=f"{TAG.lower()}-viewer", full_name="基准查看人")
    viewer.set_roles([Role.DUTY_OFFICER])
    token = ApiToken.issue(viewer)[1]
    client = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Token {token}")
    for _ in range(50):
        room, at = probe()
        client.get("/api/v1/duty/now/", {"department": room, "at": at.isoformat()})
    ms = []
    for _ in range(SAMPLES):
        room, at = probe()
        t = time.perf_counter()
        r = client.get("/api/v1/duty/now/", {"department": room, "at": at.isoformat()})
        ms.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, r.content
    report("API view GET duty/now/ (in-process)", ms)

    port = free_port()
    connection.close()
    proc = start_daphne(port)
    try:
        ms = []
        for i in range(HTTP_SAMPLES + 20):
            room, at = probe()
            url = f"http://127.0.0.1:{port}/api/v1/duty/now/?" + urllib.parse.urlencode(
                {"department": room, "at": at.isoformat()}
            )
            req = urllib.request.Request(url, headers={"Authorization": f"Token {token}"})
            t = time.perf_counter()
            with urllib.request.urlopen(req, timeout=10) as resp:
                resp.read()
                assert resp.status == 200
            if i >= 20:  # warm-up
                ms.append((time.perf_counter() - t) * 1000)
        report("HTTP GET duty/now/ via daphne", ms)
        # The same server answering its cheapest request: what HTTP + daphne cost by themselves.
        base = []
        for i in range(HTTP_SAMPLES + 20):
            t = time.perf_counter()
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as resp:
                resp.read()
            if i >= 20:
                base.append((time.perf_counter() - t) * 1000)
        report("HTTP GET /healthz via daphne (baseline)", base)
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    main()
