"""Incidents through the API: the statutory clocks (phone and written reports, upward
reports meeting them, regrading, the follow-up cadence, the clock policy as data)."""

from datetime import timedelta

from django.utils import timezone

from dutyops.timers import fire_due
from incidents.models import Incident, IncidentClock, ReportPolicy
from realtime.models import Event
from tests.incidents import api_steps
from tests.incidents.api_steps import post_report, transition

# The officer's API client without the gazetteer (api_steps), as these tests were written.
api = api_steps.api


# --- statutory clocks ---------------------------------------------------------


def clocks(incident_id):
    return {c.kind: c for c in IncidentClock.objects.filter(incident_id=incident_id)}


def test_grade_ii_gets_phone_and_written_clocks_that_go_overdue(api):
    received = timezone.now() - timedelta(minutes=1)
    data = post_report(api, grade="II", received_at=received.isoformat())
    c = clocks(data["incident"])
    assert c["phone"].due_at == received + timedelta(minutes=30)
    assert c["written"].due_at == received + timedelta(minutes=60)
    incident = Incident.objects.get(pk=data["incident"])
    assert incident.next_report_due_at == c["phone"].due_at and not incident.report_overdue

    fire_due(now=received + timedelta(minutes=31))
    incident.refresh_from_db()
    assert incident.report_overdue
    overdue = Event.objects.filter(incident_id=incident.pk, type="report.overdue")
    assert [e.data["clock"] for e in overdue] == ["phone"]
    assert "电话报告超时" in overdue[0].summary
    fire_due(now=received + timedelta(minutes=31))  # fires once only
    assert Event.objects.filter(incident_id=incident.pk, type="report.overdue").count() == 1


def test_reporting_upward_in_time_meets_the_clock(api):
    received = timezone.now() - timedelta(minutes=1)
    data = post_report(api, grade="I", received_at=received.isoformat())
    response = api.post(
        f"/api/v1/incidents/{data['incident']}/upward-reports/",
        {"kind": "first", "method": "phone", "recipients": [], "unverified_reason": "情况紧急，先行电话报告"},
        format="json",
    )
    assert response.status_code == 400  # no statutory line configured: nobody to report to
    from chain.seed import seed as seed_line

    seed_line()
    response = api.post(
        f"/api/v1/incidents/{data['incident']}/upward-reports/",
        {"kind": "first", "method": "phone", "unverified_reason": "情况紧急，先行电话报告"},
        format="json",
    )
    assert response.status_code == 201, response.data
    assert clocks(data["incident"])["phone"].satisfied_at is not None
    listed = api.get(f"/api/v1/incidents/{data['incident']}/upward-reports/").json()
    assert [r["name"] for r in listed[0]["recipients"]] == ["省人民政府总值班室", "省应急管理厅"]  # a plain list
    fire_due(now=received + timedelta(minutes=45))
    assert not Event.objects.filter(incident_id=data["incident"], type="report.overdue").exists()
    # The written report was not sent: it goes overdue.
    fire_due(now=received + timedelta(minutes=61))
    assert [e.data["clock"] for e in Event.objects.filter(incident_id=data["incident"], type="report.overdue")] == [
        "written"
    ]


def test_upgrading_recomputes_clocks(api):
    received = timezone.now() - timedelta(minutes=1)
    data = post_report(api, grade="IV", received_at=received.isoformat())
    c = clocks(data["incident"])
    assert "phone" not in c and c["written"].due_at == received + timedelta(minutes=240)
    api.post(
        "/api/v1/reports/",
        {"kind": "follow_up", "incident": data["incident"], "grade": "I", "deaths": 12},
        format="json",
    )
    c = clocks(data["incident"])
    assert c["phone"].due_at == received + timedelta(minutes=30)
    assert c["written"].due_at == received + timedelta(minutes=60)
    fire_due(now=received + timedelta(minutes=61))
    kinds = sorted(e.data["clock"] for e in Event.objects.filter(incident_id=data["incident"], type="report.overdue"))
    assert kinds == ["phone", "written"]


def report_up(api, incident_id, kind, method="written"):
    response = api.post(
        f"/api/v1/incidents/{incident_id}/upward-reports/",
        {"kind": kind, "method": method, "unverified_reason": "情况紧急"},
        format="json",
    )
    assert response.status_code == 201, response.data
    from chain.models import UpwardReport

    return UpwardReport.objects.get(pk=response.data["id"]).sent_at


def test_follow_up_cadence_while_responding_and_final_report_after_closing(api):
    from chain.seed import seed as seed_line

    seed_line()
    data = post_report(api, grade="III")
    incident_id = data["incident"]
    assert transition(api, incident_id, "responding").status_code == 200
    c = clocks(incident_id)
    start = c["follow_up"].due_at
    assert abs((start - timedelta(minutes=480) - timezone.now()).total_seconds()) < 60
    # A follow-up received at intake is news for the room, not its 续报 up: the cadence holds.
    later = timezone.now() + timedelta(minutes=1)
    api.post(
        "/api/v1/reports/",
        {"kind": "follow_up", "incident": incident_id, "description": "继续抢护", "received_at": later.isoformat()},
        format="json",
    )
    assert clocks(incident_id)["follow_up"].due_at == start
    # So does an upward report of another kind (a first report sent late).
    report_up(api, incident_id, "first")
    assert clocks(incident_id)["follow_up"].due_at == start
    # An upward follow-up restarts it.
    sent = report_up(api, incident_id, "follow_up")
    due = clocks(incident_id)["follow_up"].due_at
    assert due == sent + timedelta(minutes=480) > start
    fire_due(now=due + timedelta(minutes=1))
    assert Event.objects.filter(incident_id=incident_id, type="report.overdue", data__clock="follow_up").exists()
    # Overdue, then a follow-up sent: the next one is due a cadence later.
    sent = report_up(api, incident_id, "follow_up")
    assert clocks(incident_id)["follow_up"].due_at == sent + timedelta(minutes=480)

    assert transition(api, incident_id, "closed").status_code == 200
    c = clocks(incident_id)
    assert c["follow_up"].cancelled_at is not None
    closed_at = Incident.objects.get(pk=incident_id).closed_at
    assert c["final"].due_at == closed_at + timedelta(days=15)
    api.post("/api/v1/reports/", {"kind": "final", "incident": incident_id, "description": "处置完毕"}, format="json")
    assert clocks(incident_id)["final"].satisfied_at is None  # a final report received is not the room's 终报
    report_up(api, incident_id, "follow_up")
    assert clocks(incident_id)["final"].satisfied_at is None
    final = report_up(api, incident_id, "final")
    assert clocks(incident_id)["final"].satisfied_at == final
    fire_due(now=closed_at + timedelta(days=16))
    assert not Event.objects.filter(incident_id=incident_id, type="report.overdue", data__clock="final").exists()


def test_clock_policy_is_data_and_an_edit_applies_to_the_next_report(api):
    def phone_limit():
        data = post_report(api, category="public_health", subtype="food_poisoning", grade="IV")
        phone = clocks(data["incident"]).get("phone")
        return phone and phone.due_at - Incident.objects.get(pk=data["incident"]).reported_at

    policy = ReportPolicy.objects.create(grade="IV", category="public_health", phone_minutes=15, written_minutes=45)
    assert phone_limit() == timedelta(minutes=15)
    policy.phone_minutes = 20  # as the admin saves it
    policy.save()
    assert phone_limit() == timedelta(minutes=20)
    policy.delete()
    assert phone_limit() != timedelta(minutes=20)  # the general rule again
