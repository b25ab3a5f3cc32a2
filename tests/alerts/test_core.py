"""Alerts: dispatch with roster-driven addressing, sign-for, feedback, close/return, handover items."""

import datetime as dt

import pytest
from django.utils import timezone

from alerts import selectors, services
from alerts.models import Alert, AlertRecipient
from dutyops import timers
from dutyops.models import Timer
from realtime.models import Event

pytestmark = pytest.mark.django_db


def put_on_duty(room, leader, *officers, start=None, hours=8):
    from duty.models import Shift, ShiftOfficer

    start = start or timezone.now() - dt.timedelta(hours=1)
    shift = Shift.objects.create(
        duty_room=room, starts_at=start, ends_at=start + dt.timedelta(hours=hours), leader=leader
    )
    for n, person in enumerate(officers):
        ShiftOfficer.objects.create(shift=shift, person=person, position=n)
    return shift


def dispatch(incident, department, actor=None, **kw):
    kw.setdefault("duty", "加强巡堤查险")
    kw.setdefault("ack_minutes", 30)
    kw.setdefault("feedback_minutes", 120)
    return services.dispatch_alert(incident=incident, department=department, actor=actor, **kw)


def test_dispatch_reaches_the_officer_on_duty_now_and_liaisons_not_the_one_off_duty(
    incident, water, make_person, officer
):
    on_now, off_now, leader = (make_person("duty_officer", dept=water) for _ in range(3))
    liaison = make_person("liaison", dept=water)
    put_on_duty(water, leader, on_now)
    put_on_duty(water, None, off_now, start=timezone.now() + dt.timedelta(hours=7))  # the next shift
    alert = dispatch(incident, water, actor=officer, activation=7, source="plan")

    reached = dict(AlertRecipient.objects.filter(alert=alert).values_list("person_id", "reason"))
    assert reached == {on_now.pk: "duty_officer", leader.pk: "duty_leader", liaison.pk: "liaison"}
    assert off_now.pk not in reached
    assert alert.state == "sent" and alert.activation_id == 7 and alert.source == "plan"
    assert alert.ack_due_at == alert.created_at + dt.timedelta(minutes=30)
    assert alert.feedback_due_at == alert.created_at + dt.timedelta(minutes=120)
    event = Event.objects.get(type="alert.created")
    assert event.incident_id == incident.pk and event.data["id"] == alert.pk and "水利局" in event.summary
    assert list(event.audience.values_list("department_id", flat=True)) == [water.pk]


def test_every_alert_gets_a_feedback_deadline_even_without_one(incident, water):
    alert = dispatch(incident, water, ack_minutes=None, feedback_minutes=None)
    assert alert.ack_due_at > alert.created_at and alert.feedback_due_at > alert.ack_due_at


@pytest.mark.parametrize("field,value", [("duty", " "), ("ack_minutes", 0), ("feedback_minutes", "x")])
def test_dispatch_rejects_bad_input_without_writing(incident, water, field, value):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        dispatch(incident, water, **{field: value})
    assert field in exc.value.message_dict
    assert not Alert.objects.exists() and not Event.objects.exists()


def test_sign_for_is_idempotent_and_cancels_the_sign_for_chase(incident, water, make_person):
    liaison = make_person("liaison", dept=water)
    alert = dispatch(incident, water)
    first, created = services.acknowledge(alert.pk, liaison)
    again, created_again = services.acknowledge(alert.pk, liaison)
    assert created and not created_again
    assert again.acknowledged_at == first.acknowledged_at and again.acknowledged_by == liaison
    assert Event.objects.filter(type="alert.acknowledged").count() == 1
    pending = Timer.objects.filter(key__startswith=f"alert:{alert.pk}:", fired_at=None, cancelled_at=None)
    assert pending.exists() and not pending.filter(key__contains=":ack:").exists()


def test_close_alerts_for_activation_closes_only_that_activations_open_alerts(
    incident, water, make_department, officer
):
    fire = make_department("消防")
    a1, a2 = dispatch(incident, water, activation=1), dispatch(incident, fire, activation=1)
    other = dispatch(incident, fire, activation=2)
    assert services.close_alerts_for_activation(1, "响应终止", officer) == 2
    states = dict(Alert.objects.values_list("pk", "state"))
    assert states == {a1.pk: "closed", a2.pk: "closed", other.pk: "sent"}
    assert not Timer.objects.filter(key__startswith=f"alert:{a1.pk}:", fired_at=None, cancelled_at=None).exists()
    assert Event.objects.filter(type="alert.closed").count() == 2


def test_open_items_for_handover_lists_alerts_awaiting_sign_for_or_feedback(incident, water, department, make_person):
    liaison = make_person("liaison", dept=water)
    waiting_sign = dispatch(incident, water)
    waiting_feedback = dispatch(incident, water)
    services.acknowledge(waiting_feedback.pk, liaison)
    done = dispatch(incident, water)
    services.acknowledge(done.pk, liaison)
    services.add_feedback(done.pk, liaison, "已完成巡查")
    items = selectors.open_items_for_handover(department.pk)  # the office sees every unanswered alert
    assert {i["id"] for i in items} == {waiting_sign.pk, waiting_feedback.pk}
    by_id = {i["id"]: i for i in items}
    assert by_id[waiting_sign.pk]["due_at"] == waiting_sign.ack_due_at
    assert by_id[waiting_feedback.pk]["due_at"] == waiting_feedback.feedback_due_at
    assert all(i["kind"] == "alert" and i["title"] for i in items)
    assert {i["id"] for i in selectors.open_items_for_handover(water.pk)} == {waiting_sign.pk, waiting_feedback.pk}


def test_deadline_timer_marks_overdue_and_the_ladder_fires_each_step_once(incident, water, make_person):
    make_person("liaison", dept=water)
    alert = dispatch(incident, water, ack_minutes=10, feedback_minutes=60)
    later = alert.ack_due_at + dt.timedelta(hours=3)
    timers.fire_due(now=later)
    timers.fire_due(now=later)
    alert.refresh_from_db()
    assert alert.state == "overdue" and alert.overdue_at is not None
    types = list(Event.objects.filter(incident_id=incident.pk).values_list("type", flat=True))
    assert types.count("alert.overdue") == 1  # the feedback deadline does not re-announce an overdue alert
    assert types.count("alert.reminded") == 2  # sign-for and feedback reminders
    assert types.count("alert.escalated") == 4  # head and leader, for both phases


def test_a_returned_alert_gets_a_new_feedback_round_whose_timers_feedback_cancels(
    incident, water, make_person, officer
):
    liaison = make_person("liaison", dept=water)
    alert = dispatch(incident, water)
    services.acknowledge(alert.pk, liaison)
    services.add_feedback(alert.pk, liaison, "初步情况")
    services.return_alert(alert.pk, officer, "请补充", feedback_minutes=30)
    pending = Timer.objects.filter(key__startswith=f"alert:{alert.pk}:", fired_at=None, cancelled_at=None)
    assert all(":feedback:2:" in k for k in pending.values_list("key", flat=True))
    assert pending.count() == 4  # the round-2 deadline and its three steps
    services.add_feedback(alert.pk, liaison, "补充情况")
    assert not pending.exists()
