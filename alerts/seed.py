"""Demo data for alerts: the chasing policy, leaders in charge, alerts on the demo incidents,
a supervised case, and last month's history for the figures page. Idempotent."""

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from dutyops.models import Department, Person

from . import services
from .models import Alert, DepartmentLeader, EscalationStep, NotificationChannel, SupervisionCase

# seed_demo runs the apps' seeds in this order (dutyops/management/commands/seed_demo.py).
ORDER = 40

DEMO_CASE_TITLE = "湘江橘子洲段防汛督办"

POLICY = [
    ("ack", 0, "remind"),
    ("ack", 15, "head"),
    ("ack", 45, "leader"),
    ("feedback", 0, "remind"),
    ("feedback", 30, "head"),
    ("feedback", 90, "leader"),
]


def _person(username):
    return Person.objects.filter(username=username).first()


def _dept(code):
    return Department.objects.filter(code=code).first()


@transaction.atomic
def seed():
    if not EscalationStep.objects.exists():
        EscalationStep.objects.bulk_create(EscalationStep(phase=p, offset_minutes=o, action=a) for p, o, a in POLICY)
    mayor = _person("leader")
    if mayor:
        for dept in Department.objects.exclude(kind=Department.Kind.DUTY_OFFICE):
            DepartmentLeader.objects.get_or_create(department=dept, defaults={"leader": mayor})
    NotificationChannel.objects.get_or_create(
        name="企业微信值班群（示例，未启用）",
        defaults={"kind": "wecom", "url": "http://127.0.0.1:9/wecom-robot", "enabled": False},
    )
    if SupervisionCase.objects.filter(title=DEMO_CASE_TITLE).exists():
        return
    from incidents.models import Incident

    officer = _person("officer1")
    flood = Incident.objects.filter(title__contains="水位超警戒").first()
    chem = Incident.objects.filter(title__contains="储罐泄漏").first()
    drill = Incident.objects.filter(is_drill=True).first()
    water, yjj, fire, health, stj = (_dept(c) for c in ("LJ-SWJ", "LJ-YJJ", "LJ-XFJY", "LJ-WJW", "LJ-STHJ"))
    if not (flood and officer and water and yjj and fire):
        return
    send = services.dispatch_alert
    a = send(incident=flood, department=water, duty="加强橘子洲段巡堤查险，每 2 小时报告水位", ack_minutes=30,
             feedback_minutes=240, actor=officer, source="manual")  # fmt: skip
    liaison_water = _person("liaison_water")
    if liaison_water:
        services.acknowledge(a.pk, liaison_water)
        services.add_feedback(a.pk, liaison_water, "已派出 3 个巡查组，当前水位 36.2 米，堤防无险情。")
    send(incident=flood, department=yjj, duty="调度抢险物资，做好转移安置准备", ack_minutes=20,
         feedback_minutes=120, actor=officer, source="manual")  # fmt: skip
    if chem:
        send(incident=chem, department=fire, duty="立即调派力量处置储罐泄漏，划定警戒区", ack_minutes=10,
             feedback_minutes=60, actor=officer, source="manual")  # fmt: skip
        if stj:
            send(incident=chem, department=stj, duty="开展周边大气和水体监测", ack_minutes=30,
                 feedback_minutes=180, actor=officer, source="manual")  # fmt: skip
    if drill and health:
        send(incident=drill, department=health, duty="【演练】组织医疗救治组赶赴现场", ack_minutes=15,
             feedback_minutes=60, actor=officer, source="manual")  # fmt: skip
    services.open_case(
        title=DEMO_CASE_TITLE,
        content="周市长批示：确保橘子洲段堤防安全，人员转移到位，每日报告。",
        standard="险情排除、转移人员全部安置，水利局书面报告办理结果",
        responsible_leader=mayor,
        departments=[water],
        incident=flood,
        actor=officer,
        deadline=timezone.now() + dt.timedelta(days=3),
    )
    _last_month(officer, [d for d in (water, yjj, fire, health, stj) if d], flood)


def _last_month(officer, departments, incident):
    """A month of answered alerts, back-dated history written directly (no live events, no timers),
    so the figures page has something to show."""
    rng = random.Random(2026)
    local = timezone.localtime()
    first = (local.replace(day=1) - dt.timedelta(days=1)).replace(day=1, hour=8, minute=0, second=0, microsecond=0)
    rows = []
    for n in range(40):
        created = first + dt.timedelta(days=rng.randint(0, 27), hours=rng.randint(0, 12), minutes=rng.randint(0, 59))
        ack, fb = rng.choice([5, 8, 12, 18, 25, 28, 35, 50]), rng.choice([60, 120, 200, 230, 300])
        rows.append(
            Alert(
                incident=incident,
                department=departments[n % len(departments)],
                duty=f"上月任务 {n + 1}",
                source=Alert.Source.MANUAL,
                state=Alert.State.CLOSED,
                created_at=created,
                created_by=officer,
                ack_due_at=created + dt.timedelta(minutes=30),
                feedback_due_at=created + dt.timedelta(minutes=240),
                first_feedback_due_at=created + dt.timedelta(minutes=240),
                acknowledged_at=created + dt.timedelta(minutes=ack),
                acknowledged_by=officer,
                first_feedback_at=created + dt.timedelta(minutes=fb),
                last_feedback_at=created + dt.timedelta(minutes=fb),
                overdue_at=created + dt.timedelta(minutes=30) if ack > 30 or fb > 240 else None,
                closed_at=created + dt.timedelta(minutes=fb + 30),
                closed_by=officer,
            )
        )
    Alert.objects.bulk_create(rows)
