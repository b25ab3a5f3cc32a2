"""The chasing ladder: reminders and escalations fire exactly once, with several workers, and catch up after a restart."""

import datetime as dt
import threading
import time

import pytest
from django.db import connection
from django.utils import timezone

from alerts import services
from alerts.models import Alert, Chase, DepartmentLeader, EscalationStep
from duty.models import Shift, ShiftOfficer
from dutyops import timers
from dutyops.models import Timer
from incidents.models import Incident
from realtime.models import Event


@pytest.fixture
def org(make_department, make_person, department):
    """Office (with a duty leader on shift and a government leader), a bureau under it with a liaison."""
    water = make_department("水利局", parent=department)
    liaison = make_person("liaison", dept=water, phone="13800000001")
    office_leader = make_person("duty_leader", full_name="陈带班")
    officer = make_person("duty_officer")
    mayor = make_person("leader", full_name="周市长")
    DepartmentLeader.objects.create(department=water, leader=mayor)
    now = timezone.now()
    shift = Shift.objects.create(
        duty_room=department, starts_at=now - dt.timedelta(hours=1), ends_at=now + dt.timedelta(days=2),
        leader=office_leader,
    )  # fmt: skip
    ShiftOfficer.objects.create(shift=shift, person=officer)
    incident = Incident.objects.create(title="临江河水位超警戒", category="natural_disaster")
    return {"water": water, "liaison": liaison, "office_leader": office_leader, "mayor": mayor, "incident": incident}


def dispatch(org, **kw):
    return services.dispatch_alert(
        incident=org["incident"],
        department=org["water"],
        duty="加强巡堤查险",
        ack_minutes=10,
        feedback_minutes=60,
        **kw,
    )


def chase_events(alert):
    return list(
        Event.objects.filter(data__id=alert.pk, type__in=["alert.reminded", "alert.escalated", "alert.overdue"])
        .order_by("seq")
        .values_list("type", "data__phase", "data__action")
    )


def test_ladder_in_time_order_reaches_the_right_people(org):
    alert = dispatch(org)
    due = alert.ack_due_at
    timers.fire_due(now=due - dt.timedelta(seconds=1))
    assert chase_events(alert) == []  # nothing before the deadline
    timers.fire_due(now=due + dt.timedelta(seconds=1))
    assert chase_events(alert) == [("alert.overdue", "ack", None), ("alert.reminded", "ack", "remind")]
    timers.fire_due(now=due + dt.timedelta(minutes=16))
    head = Chase.objects.get(alert=alert, action="head")
    assert {t.get("name") for t in head.targets} >= {"陈带班"}  # the office's duty leader on shift
    timers.fire_due(now=due + dt.timedelta(minutes=46))
    leader = Chase.objects.get(alert=alert, action="leader")
    assert [t["person"] for t in leader.targets] == [org["mayor"].pk]
    remind = Chase.objects.get(alert=alert, action="remind", phase="ack")
    assert [t["person"] for t in remind.targets] == [org["liaison"].pk]
    # Every step is on the incident's timeline with a readable summary.
    summaries = [e.summary for e in Event.objects.filter(incident_id=org["incident"].pk, type="alert.escalated")]
    assert any("周市长" in s for s in summaries)


def test_sign_for_stops_the_ladder_and_feedback_stops_the_feedback_ladder(org):
    alert = dispatch(org)
    timers.fire_due(now=alert.ack_due_at + dt.timedelta(seconds=1))  # reminded once
    services.acknowledge(alert.pk, org["liaison"])
    services.add_feedback(alert.pk, org["liaison"], "已巡查")
    timers.fire_due(now=alert.feedback_due_at + dt.timedelta(days=1))
    assert chase_events(alert) == [("alert.overdue", "ack", None), ("alert.reminded", "ack", "remind")]
    alert.refresh_from_db()
    assert alert.state == "fed_back" and alert.overdue_at is not None


def test_the_policy_is_data_the_administrator_edits(org, admin_user, client_for):
    client = client_for(admin_user)
    response = client.post(
        "/api/v1/escalation-steps/", {"phase": "ack", "offset_minutes": 5, "action": "leader"}, format="json"
    )
    assert response.status_code == 201
    assert (
        client.post("/api/v1/escalation-steps/", {"phase": "x", "action": "remind"}, format="json").status_code == 400
    )
    assert client_for(org["liaison"]).post("/api/v1/escalation-steps/", {}, format="json").status_code == 403
    alert = dispatch(org)
    timers.fire_due(now=alert.ack_due_at + dt.timedelta(minutes=6))
    assert list(Chase.objects.filter(alert=alert, phase="ack").values_list("action", flat=True)) == ["leader"]
    assert EscalationStep.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_threads_firing_at_once_send_one_reminder(org):
    alert = dispatch(org)
    later = alert.ack_due_at + dt.timedelta(hours=3)
    barrier = threading.Barrier(2)
    errors = []

    def fire():
        try:
            barrier.wait()
            while timers.fire_due(now=later):
                pass
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=fire) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    events = chase_events(alert)
    assert events.count(("alert.reminded", "ack", "remind")) == 1
    # Turned overdue once (by whichever of its two past deadlines fired first).
    assert [e[0] for e in events].count("alert.overdue") == 1
    assert len(events) == 1 + 2 + 4  # overdue, two reminders, four escalations: each once
    assert Chase.objects.filter(alert=alert).count() == 6


def _move_due(alert, to):
    Timer.objects.filter(key__startswith=f"alert:{alert.pk}:", kind__startswith="alerts.").update(due_at=to)


def _wait(predicate, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


def test_two_real_workers_fire_each_step_once_and_on_time(servers, org):
    alerts = [dispatch(org) for _ in range(5)]
    soon = timezone.now() + dt.timedelta(seconds=2)
    for alert in alerts:
        _move_due(alert, soon)
    servers.worker()
    servers.worker()
    pending = Timer.objects.filter(kind__startswith="alerts.", fired_at__isnull=True, cancelled_at__isnull=True)
    assert _wait(lambda: not pending.filter(due_at__lte=soon).exists(), 60)
    for alert in alerts:
        assert Chase.objects.filter(alert=alert).count() == 6
        assert len(chase_events(alert)) == 7
    lateness = [
        (t.fired_at - t.due_at).total_seconds()
        for t in Timer.objects.filter(kind__startswith="alerts.step", key__startswith="alert:")
    ]
    assert max(lateness) < 5


def test_worker_catches_up_after_a_restart(servers, org):
    worker = servers.worker()
    alert = dispatch(org)
    worker.stop()  # down while the deadline passes
    _move_due(alert, timezone.now() - dt.timedelta(minutes=5))
    assert Alert.objects.get(pk=alert.pk).state == "sent"
    worker.start()
    assert _wait(lambda: Alert.objects.get(pk=alert.pk).state == "overdue")
    assert _wait(lambda: Chase.objects.filter(alert=alert).count() == 6)
    assert len(chase_events(alert)) == 7


def test_a_worker_killed_mid_escalation_fires_each_step_once_after_restart(servers, org):
    """SIGKILL in the middle of a burst of due steps: whatever the worker was firing rolls
    back with its transaction, and the restarted worker fires the rest, each step once."""
    alerts = [dispatch(org) for _ in range(60)]
    for alert in alerts:
        _move_due(alert, timezone.now())
    total = 6 * len(alerts)
    chases = Chase.objects.filter(alert__in=alerts)
    worker = servers.worker()
    started = time.monotonic()
    while chases.count() < total // 4:  # tight loop: a fast worker must not finish unseen
        assert time.monotonic() - started < 60, "the worker fired nothing"
        time.sleep(0.02)
    worker.stop(kill=True)
    fired = chases.count()
    print(f"killed after {fired}/{total} steps in {time.monotonic() - started:.2f} s")
    assert fired < total, "killed mid-escalation"
    worker.start()
    pending = Timer.objects.filter(
        kind__startswith="alerts.", fired_at__isnull=True, cancelled_at__isnull=True, due_at__lte=timezone.now()
    )
    assert _wait(lambda: not pending.exists(), 90)
    escalated = [("alert.reminded", "remind"), ("alert.escalated", "head"), ("alert.escalated", "leader")]
    expected = sorted((t, phase, a) for phase in ("ack", "feedback") for t, a in escalated)
    for alert in alerts:
        events = chase_events(alert)
        # One overdue (by whichever deadline fired first) and each of the six steps once.
        assert len(events) == 7 and [e[0] for e in events].count("alert.overdue") == 1
        assert sorted(e for e in events if e[0] != "alert.overdue") == expected
        steps = Timer.objects.filter(kind=services.T_STEP, key__startswith=f"alert:{alert.pk}:")
        assert steps.count() == 6 and not steps.filter(fired_at__isnull=True).exists()
        assert sorted(Chase.objects.filter(alert=alert).values_list("phase", "step")) == sorted(
            (t.payload["phase"], t.payload["step"]) for t in steps
        )
