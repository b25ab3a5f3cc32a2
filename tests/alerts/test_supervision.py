"""Supervision (督办): a leader's instruction becomes a case; its lifecycle, chasing, re-check and circulars."""

import datetime as dt

import pytest
from django.utils import timezone

from alerts import services
from alerts.models import Alert, Circular, SupervisionCase
from dutyops import timers
from incidents.models import Incident
from realtime.models import Event


@pytest.fixture
def org(make_department, make_person, department):
    water = make_department("水利局", parent=department)
    fire = make_department("消防救援支队", parent=department)
    return {
        "water": water,
        "fire": fire,
        "water_liaison": make_person("liaison", dept=water),
        "fire_liaison": make_person("liaison", dept=fire),
        "leader": make_person("leader", full_name="周市长"),
        "incident": Incident.objects.create(title="临江河水位超警戒", category="natural_disaster"),
    }


def test_a_leaders_instruction_becomes_an_assigned_case_with_alerts(org, client_for):
    services.dispatch_alert(incident=org["incident"], department=org["water"], duty="巡堤", actor=None)
    response = client_for(org["leader"]).post(
        f"/api/v1/incidents/{org['incident'].pk}/instructions/",
        {"text": "务必确保人员安全，24 小时内报告转移情况"},
        format="json",
    )
    assert response.status_code == 201, response.content
    case = SupervisionCase.objects.get()
    assert case.responsible_leader == org["leader"] and case.state == "assigned"
    assert case.instruction_id == response.json()["id"]
    assert list(case.departments.all()) == [org["water"]]
    alert = Alert.objects.get(supervision=case)
    assert alert.source == "instruction" and alert.department == org["water"] and "务必确保人员安全" in alert.duty
    assert alert.feedback_due_at <= case.deadline
    assert Event.objects.filter(type="supervision.created", incident_id=org["incident"].pk).exists()


def test_case_lifecycle_registered_to_reviewed_and_recheck(org, officer, client_for):
    office, liaison = client_for(officer), client_for(org["water_liaison"])
    deadline = timezone.now() + dt.timedelta(days=3)
    created = office.post(
        "/api/v1/supervision/",
        {
            "title": "河堤隐患整改",
            "content": "对临江河堤 3 处管涌点完成整改",
            "standard": "完成加固并经水利局验收",
            "responsible_leader": org["leader"].pk,
            "deadline": deadline.isoformat(),
            "incident": org["incident"].pk,
        },
        format="json",
    )
    assert created.status_code == 201 and created.json()["state"] == "registered"
    url = f"/api/v1/supervision/{created.json()['id']}"
    assert liaison.post(f"{url}/complete/", {"text": "x"}, format="json").status_code == 403  # not its case yet
    assert office.post(f"{url}/complete/", {"text": "x"}, format="json").status_code == 409  # not assigned
    assigned = office.post(f"{url}/assign/", {"departments": [org["water"].pk]}, format="json")
    assert assigned.json()["state"] == "assigned"
    assert client_for(org["fire_liaison"]).post(f"{url}/progress/", {"text": "x"}, format="json").status_code == 403
    assert liaison.post(f"{url}/progress/", {"text": "已完成 2 处"}, format="json").json()["state"] == "in_progress"
    assert liaison.post(f"{url}/complete/", {"text": "3 处全部完成"}, format="json").json()["state"] == "completed"
    assert liaison.post(f"{url}/review/", {"accepted": True}, format="json").status_code == 403
    assert office.post(f"{url}/recheck/", {"text": "x"}, format="json").status_code == 409  # not reviewed yet
    recheck_at = timezone.now() + dt.timedelta(days=30)
    reviewed = office.post(f"{url}/review/", {"accepted": True, "recheck_at": recheck_at.isoformat()}, format="json")
    assert reviewed.json()["state"] == "reviewed" and reviewed.json()["recheck_at"]
    timers.fire_due(now=recheck_at + dt.timedelta(minutes=1))
    assert Event.objects.filter(type="supervision.recheck_due").count() == 1
    assert office.post(f"{url}/recheck/", {"text": "回头看：未反弹"}, format="json").status_code == 200
    ledger = office.get(f"{url}/").json()
    assert [e["kind"] for e in ledger["entries"]] == [
        "registered",
        "assigned",
        "progress",
        "completed",
        "reviewed",
        "recheck_due",
        "rechecked",
    ]
    assert office.post(f"{url}/progress/", {"text": "x"}, format="json").status_code == 409


def test_review_can_send_a_case_back(org, officer, client_for):
    case = services.open_case(title="t", content="c", departments=[org["fire"]], incident=org["incident"])
    services.complete_case(case.pk, org["fire_liaison"], "已完成")
    office = client_for(officer)
    url = f"/api/v1/supervision/{case.pk}"
    assert office.post(f"{url}/review/", {"accepted": False}, format="json").status_code == 400  # needs a reason
    back = office.post(f"{url}/review/", {"accepted": False, "text": "佐证材料不全"}, format="json")
    assert back.json()["state"] == "in_progress" and back.json()["completed_at"] is None


def test_open_case_validates(officer, client_for):
    bad = client_for(officer).post(
        "/api/v1/supervision/",
        {"title": "", "content": "c", "deadline": (timezone.now() - dt.timedelta(hours=1)).isoformat()},
        format="json",
    )
    assert bad.status_code == 400 and "title" in bad.json()
    past = client_for(officer).post(
        "/api/v1/supervision/",
        {"title": "t", "content": "c", "deadline": (timezone.now() - dt.timedelta(hours=1)).isoformat()},
        format="json",
    )
    assert past.status_code == 400 and "deadline" in past.json()
    assert not SupervisionCase.objects.exists()


def test_case_is_chased_before_and_at_its_deadline_unless_completed(org):
    late = services.open_case(title="逾期事项", content="c", departments=[org["water"]])
    done = services.open_case(title="按期事项", content="c", departments=[org["fire"]])
    services.complete_case(done.pk, org["fire_liaison"], "完成")
    timers.fire_due(now=late.deadline + dt.timedelta(minutes=1))
    chased = list(Event.objects.filter(type__startswith="supervision.").values_list("type", "data__id"))
    assert ("supervision.reminded", late.pk) in chased and ("supervision.overdue", late.pk) in chased
    assert not any(pk == done.pk and t in ("supervision.reminded", "supervision.overdue") for t, pk in chased)


def test_monthly_circular_generated_once_by_api_and_by_timer(org, officer, client_for):
    alert = services.dispatch_alert(incident=org["incident"], department=org["water"], duty="巡堤", actor=None)
    services.acknowledge(alert.pk, org["water_liaison"])
    period = f"{timezone.localtime(alert.created_at):%Y-%m}"
    client = client_for(officer)
    first = client.post("/api/v1/circulars/", {"period": period}, format="json")
    assert first.status_code == 201
    assert "水利局" in first.json()["text"] and first.json()["figures"]["departments"][0]["alerts_received"] == 1
    again = client.post("/api/v1/circulars/", {"period": period}, format="json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert client.post("/api/v1/circulars/", {"period": "2026-13"}, format="json").status_code == 400
    assert client_for(org["water_liaison"]).post("/api/v1/circulars/", {"period": period}).status_code == 403
    Circular.objects.all().delete()
    timers.fire_due(now=timezone.now() + dt.timedelta(days=32))  # the month turned: the worker publishes it
    assert Circular.objects.filter(period=period).exists()


def test_a_step_on_an_unknown_case_is_a_404_whatever_the_body(officer, client_for):
    for step in ("assign", "progress", "complete", "review", "recheck"):
        assert client_for(officer).post(f"/api/v1/supervision/999999/{step}/", {}, format="json").status_code == 404
