"""Plan matching latency for one incident against 100 / 1,000 / 10,000 issued plans.

Standalone: with DATABASE_URL set (e.g. `make bench BENCH=matching`, PostgreSQL)
it uses that database and removes its own plans afterwards; without it, a
throwaway SQLite file. Prints median and p99 of matching.match() (including
the one query that checks the compiled cache is current), the cold compile
time after a plan write, and how latency grows with the registry size.

Run: .venv/bin/python bench/bench_matching.py [--runs 300]
"""

import argparse
import random
import statistics
import sys
import time

from common import pct, setup_django

setup_django(sqlite_name="bench-matching")

from dataclasses import dataclass  # noqa: E402

from django.db import connection  # noqa: E402

from dutyops.models import Department  # noqa: E402
from plans import matching, services  # noqa: E402
from plans.models import Plan, PlanVersion  # noqa: E402

PREFIX = "BENCH-M-"
API_LIMIT = 50  # what GET incidents/<id>/plan-matches/ returns by default (ranking covers all)
SUBTYPES = {
    "natural_disaster": ["flood", "drought", "earthquake", "forest_fire", "geological", "meteorological", "typhoon"],
    "accident_disaster": ["fire", "traffic", "production_safety", "hazardous_chemicals", "utility_supply", "pollution"],
    "public_health": ["epidemic", "food_poisoning", "occupational", "animal_epidemic"],
    "social_security": ["mass_incident", "terrorist_attack", "cyber", "financial", "foreign_related"],
}
WORDS = [
    "溃坝",
    "内涝",
    "山洪",
    "泥石流",
    "爆炸",
    "泄漏",
    "停电",
    "聚集",
    "中毒",
    "疫情",
    "塌方",
    "火灾",
    "暴雨",
    "水库",
]


@dataclass
class Incident:
    category: str = "natural_disaster"
    subtype: str = "flood"
    grade: str = "II"
    deaths: int = 3
    injuries: int = 12
    missing: int = 2
    title: str = "东江流域暴雨引发山洪，临江镇水库出现险情"
    description: str = "多处内涝，部分群众被困"
    location_text: str = "临江市岳麓区临江镇"
    latitude: float = 28.23
    longitude: float = 112.93
    is_drill: bool = False
    status: str = "received"


def random_criteria(rng, level_rank):
    crit = {}
    if rng.random() < 0.7:
        crit["grades"] = ["I", "II", "III", "IV"][: level_rank + 1]
    if rng.random() < 0.4:
        crit["min_deaths"] = rng.choice([1, 3, 10, 30])
    if rng.random() < 0.2:
        crit["min_injuries"] = rng.choice([10, 50, 100])
    if rng.random() < 0.25:
        crit["keywords_any"] = rng.sample(WORDS, 3)
    if rng.random() < 0.25:
        crit.update(
            within_km=rng.choice([5, 10, 20, 50]),
            center_lat=round(28.23 + rng.uniform(-0.3, 0.3), 4),
            center_lon=round(112.93 + rng.uniform(-0.3, 0.3), 4),
        )
    return crit


def make_plans(n, dept_id, rng):
    plans = []
    for i in range(n):
        r = rng.random()
        kind = "general" if r < 0.005 else ("department" if r < 0.2 else "specific")
        category = rng.choice(list(SUBTYPES)) if kind != "general" else ""
        subs = []
        if category and rng.random() > 0.1:
            subs = rng.sample(SUBTYPES[category], rng.choice([1, 1, 2]))
        names = rng.sample(["I", "II", "III", "IV"], rng.randint(2, 4))
        levels = [
            {
                "level": name,
                "criteria": random_criteria(rng, ["I", "II", "III", "IV"].index(name)),
                "tasks": [{"department": dept_id, "duty": "按预案处置", "ack_minutes": 15, "feedback_minutes": 60}],
            }
            for name in sorted(names, key=["I", "II", "III", "IV"].index)
        ]
        plans.append(
            Plan(
                code=f"{PREFIX}{i:06d}",
                title=f"压测预案 {i}",
                kind=kind,
                status="issued",
                category=category,
                subtypes=subs,
                keywords=rng.sample(WORDS, 2) if rng.random() < 0.3 else [],
                levels=levels,
            )
        )
    Plan.objects.bulk_create(plans, batch_size=1000)
    services.bump_registry()  # bulk_create sends no signals


def clear():
    PlanVersion.objects.filter(plan__code__startswith=PREFIX).delete()
    Plan.objects.filter(code__startswith=PREFIX).delete()
    services.bump_registry()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--sizes", default="100,1000,10000")
    args = parser.parse_args()
    dept, _ = Department.objects.get_or_create(code="BENCH-MATCH", defaults={"name": "压测单位"})
    incident = Incident()
    unknown = Incident(subtype="")
    rng = random.Random(2026)
    rows = []
    try:
        for size in [int(s) for s in args.sizes.split(",")]:
            clear()
            # Only the bench's plans count: earlier real plans would skew the size.
            existing = Plan.objects.filter(status="issued").exclude(code__startswith=PREFIX).count()
            make_plans(size, dept.pk, rng)
            t0 = time.perf_counter()
            result = matching.match(incident)  # cold: compiles the index
            cold_ms = (time.perf_counter() - t0) * 1000
            index = matching.current_index()
            # The subtype known (its plans only), and unknown (every plan of the category
            # is a candidate, the subtype plans as possible ones): the wider case.
            for label, case in (("subtype known", incident), ("subtype unknown", unknown)):
                candidates = len(index.candidates(case.category, case.subtype))
                times, full = [], []
                for _ in range(args.runs):
                    t0 = time.perf_counter()
                    result, total = matching.match_with_total(case, limit=API_LIMIT)
                    times.append((time.perf_counter() - t0) * 1000)
                for _ in range(max(20, args.runs // 10)):
                    t0 = time.perf_counter()
                    matching.match(case)  # every fitting plan explained
                    full.append((time.perf_counter() - t0) * 1000)
                med, p99 = statistics.median(times), pct(times, 99)
                rows.append((size, label, med, p99))
                print(
                    f"plans={size:>6} (+{existing} others) {label:<15} candidates={candidates:>5}  fit={total:>5}  "
                    f"median={med:7.3f} ms  p99={p99:7.3f} ms  | all {total} explained: median="
                    f"{statistics.median(full):7.2f} ms  | cold compile={cold_ms:7.1f} ms"
                )
    finally:
        clear()
    ok = True
    for label in ("subtype known", "subtype unknown"):
        mine = [r for r in rows if r[1] == label]
        base = mine[0]
        for size, _label, med, p99 in mine[1:]:
            print(
                f"growth ({label}) {base[0]} -> {size} plans (x{size / base[0]:.0f}): "
                f"median x{med / base[2]:.1f}, p99 x{p99 / base[3]:.1f}"
            )
        last = mine[-1]
        verdict = "OK" if last[3] < 10 else "OVER TARGET"
        ok = ok and last[3] < 10
        print(f"target ({label}): p99 < 10 ms at {last[0]} plans on {connection.vendor}: {verdict} ({last[3]:.2f} ms)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
