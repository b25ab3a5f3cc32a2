"""Activation: propose / approve / reject, level up and down, terminate, the alerts
they produce, pinned versions, the incident timeline, and live re-matching."""

import pytest
from django.utils import translation

from alerts.models import Alert
from incidents.models import Incident
from plans import services
from plans.documents import clean_plan
from plans.models import Activation
from realtime.models import Event
from realtime.wire import envelope


@pytest.fixture
def org(make_department, make_person):
    d = {
        "water": make_department("水利局"),
        "fire": make_department("消防救援支队"),
        "health": make_department("卫健委"),
        "police": make_department("公安局"),
    }
    return d


@pytest.fixture
def people(make_person):
    return {
        "officer": make_person("duty_officer"),
        "dleader": make_person("duty_leader"),
        "leader": make_person("leader"),
        "liaison": make_person("liaison"),
        "admin": make_person("admin"),
    }


def task(dept, duty, ack=10, fb=60):
    return {"department": dept.pk, "duty": duty, "ack_minutes": ack, "feedback_minutes": fb}


@pytest.fixture
def flood_plan(org, people):
    doc = {
        "code": "LJ-FX-01",
        "title": "临江市防汛应急预案",
        "kind": "specific",
        "status": "issued",
        "category": "natural_disaster",
        "subtypes": ["flood"],
        "lead_department": org["water"].pk,
        "levels": [
            {
                "level": "I",
                "criteria": {"grades": ["I"]},
                "tasks": [
                    task(org["water"], "全力调度水利工程，组织专家会商"),  # redefines the water task
                    task(org["police"], "实施交通管制，维护秩序"),
                ],
            },
            {"level": "II", "criteria": {"grades": ["I", "II"]}, "tasks": [task(org["fire"], "派出抢险救援队伍")]},
            {
                "level": "IV",
                "criteria": {},
                "tasks": [task(org["water"], "加强水情监测"), task(org["health"], "医疗救护待命")],
            },
        ],
    }
    return services.create_plan(clean_plan(doc), people["admin"])


@pytest.fixture
def incident():
    return Incident.objects.create(title="东江溃堤", category="natural_disaster", subtype="flood", grade="II")


def url(incident):
    return f"/api/v1/incidents/{incident.pk}/activations/"


def open_alerts(activation_id):
    return {
        (a.department.name, a.duty) for a in Alert.objects.filter(activation_id=activation_id).exclude(state="closed")
    }


def test_officer_proposes_leader_approves_and_tasks_become_alerts(client_for, people, flood_plan, incident):
    officer = client_for(people["officer"])
    resp = officer.post(url(incident), {"plan": flood_plan.pk, "level": "II", "reason": "水位超保证"}, format="json")
    assert resp.status_code == 201, resp.json()
    body = resp.json()
    assert body["state"] == "proposed" and body["level"] == "" and body["pending"]["level"] == "II"
    assert not Alert.objects.exists(), "nothing is sent before approval"
    # the officer cannot approve, nor can a liaison
    assert officer.post(f"/api/v1/activations/{body['id']}/approve/").status_code == 403
    assert client_for(people["liaison"]).post(f"/api/v1/activations/{body['id']}/approve/").status_code in (403, 404)

    resp = client_for(people["dleader"]).post(
        f"/api/v1/activations/{body['id']}/approve/", {"note": "同意"}, format="json"
    )
    assert resp.status_code == 200
    body = resp.json()
    assert body["state"] == "active" and body["level"] == "II" and body["pending"] is None
    # level II = its own task + level IV's tasks (III is not defined)
    assert open_alerts(body["id"]) == {
        ("消防救援支队", "派出抢险救援队伍"),
        ("水利局", "加强水情监测"),
        ("卫健委", "医疗救护待命"),
    }
    assert all(a.source == "plan" and a.ack_minutes == 10 for a in Alert.objects.all())
    # approving twice is a conflict, not a second set of alerts
    assert client_for(people["leader"]).post(f"/api/v1/activations/{body['id']}/approve/").status_code == 409
    assert Alert.objects.count() == 3

    timeline = list(Event.objects.filter(incident_id=incident.pk).values_list("type", flat=True))
    assert timeline.index("activation.proposed") < timeline.index("plan.activated")
    activated = Event.objects.get(type="plan.activated")
    assert activated.data["level"] == "II" and len(activated.data["alerts"]) == 3
    assert "启动《临江市防汛应急预案》二级响应" in activated.summary


def test_leader_activation_is_approved_at_once(client_for, people, flood_plan, incident):
    resp = client_for(people["leader"]).post(url(incident), {"plan": flood_plan.pk, "level": "IV"}, format="json")
    assert resp.status_code == 201 and resp.json()["state"] == "active"
    assert open_alerts(resp.json()["id"]) == {("水利局", "加强水情监测"), ("卫健委", "医疗救护待命")}
    assert not Event.objects.filter(type="activation.proposed").exists()
    # the same plan cannot be started twice for one incident
    again = client_for(people["leader"]).post(url(incident), {"plan": flood_plan.pk, "level": "II"}, format="json")
    assert again.status_code == 409


def test_bad_activation_input(client_for, people, flood_plan, incident, org):
    c = client_for(people["officer"])
    assert "level" in c.post(url(incident), {"plan": flood_plan.pk, "level": "V"}, format="json").json()
    assert "plan" in c.post(url(incident), {"plan": 999999, "level": "II"}, format="json").json()
    assert "level" in c.post(url(incident), {"plan": flood_plan.pk, "level": "III"}, format="json").json()
    draft = services.create_plan(
        clean_plan({"code": "D-1", "title": "草案", "kind": "general", "levels": [{"level": "IV"}]}), people["admin"]
    )
    assert "plan" in c.post(url(incident), {"plan": draft.pk, "level": "IV"}, format="json").json()
    assert (
        c.post(
            "/api/v1/incidents/999999/activations/", {"plan": flood_plan.pk, "level": "II"}, format="json"
        ).status_code
        == 404
    )
    assert client_for(people["liaison"]).post(
        url(incident), {"plan": flood_plan.pk, "level": "II"}, format="json"
    ).status_code in (403, 404)
    assert not Activation.objects.exists()


def test_rejected_proposal_sends_nothing(client_for, people, flood_plan, incident):
    aid = (
        client_for(people["officer"])
        .post(url(incident), {"plan": flood_plan.pk, "level": "II"}, format="json")
        .json()["id"]
    )
    resp = client_for(people["leader"]).post(
        f"/api/v1/activations/{aid}/reject/", {"note": "暂不启动，加强监测"}, format="json"
    )
    assert resp.json()["state"] == "rejected"
    assert not Alert.objects.exists()
    assert Event.objects.filter(type="activation.rejected", incident_id=incident.pk).exists()
    # a new proposal for the same plan is possible after a rejection
    assert (
        client_for(people["officer"])
        .post(url(incident), {"plan": flood_plan.pk, "level": "II"}, format="json")
        .status_code
        == 201
    )


def test_raise_adds_only_new_tasks_lower_sends_nothing_terminate_closes(client_for, people, flood_plan, incident):
    leader, officer = client_for(people["leader"]), client_for(people["officer"])
    aid = leader.post(url(incident), {"plan": flood_plan.pk, "level": "IV"}, format="json").json()["id"]
    assert Alert.objects.count() == 2

    # officer proposes raising to II; nothing changes until approved
    resp = officer.post(
        f"/api/v1/activations/{aid}/change-level/", {"level": "II", "reason": "险情加剧"}, format="json"
    )
    assert (
        resp.status_code == 200 and resp.json()["level"] == "IV" and resp.json()["pending"]["action"] == "change_level"
    )
    assert officer.post(f"/api/v1/activations/{aid}/terminate/", {"reason": "x"}, format="json").status_code == 409
    assert Alert.objects.count() == 2
    leader.post(f"/api/v1/activations/{aid}/approve/")
    assert Alert.objects.count() == 3  # only the fire brigade's task is new

    # raise to I directly (leader): police is new, and water's task is redefined at level I
    resp = leader.post(f"/api/v1/activations/{aid}/change-level/", {"level": "I"}, format="json")
    assert resp.json()["level"] == "I"
    assert open_alerts(aid) == {
        ("水利局", "加强水情监测"),
        ("卫健委", "医疗救护待命"),
        ("消防救援支队", "派出抢险救援队伍"),
        ("水利局", "全力调度水利工程，组织专家会商"),
        ("公安局", "实施交通管制，维护秩序"),
    }
    changed = Event.objects.filter(type="plan.level_changed").order_by("seq").last()
    assert changed.data["from_level"] == "II" and changed.data["level"] == "I" and len(changed.data["alerts"]) == 2

    # lowering sends nothing; raising again sends nothing already sent
    leader.post(f"/api/v1/activations/{aid}/change-level/", {"level": "IV"}, format="json")
    leader.post(f"/api/v1/activations/{aid}/change-level/", {"level": "I"}, format="json")
    assert Alert.objects.count() == 5
    assert leader.post(f"/api/v1/activations/{aid}/change-level/", {"level": "I"}, format="json").status_code == 409

    # termination needs a reason, and closes every open alert with it
    assert "reason" in leader.post(f"/api/v1/activations/{aid}/terminate/", {}, format="json").json()
    resp = leader.post(f"/api/v1/activations/{aid}/terminate/", {"reason": "险情解除"}, format="json")
    assert resp.json()["state"] == "terminated"
    assert not open_alerts(aid)
    assert all("险情解除" in a.close_reason for a in Alert.objects.all())
    closed = Event.objects.filter(type="alert.closed").last()  # stored as data, read in the reader's language
    assert (closed.data["cause"], closed.data["cause_detail"]) == ("plan_terminated", "险情解除")
    assert "reason" not in closed.data
    with translation.override("en"):
        data = envelope(closed)["data"]
        assert data["reason"] == "Plan response terminated: 险情解除"
        assert data["summary"].endswith("closed: Plan response terminated: 险情解除")
    with translation.override("zh-hans"):
        data = envelope(closed)["data"]
        assert data["reason"] == "预案响应终止：险情解除"  # as integrators read it before
        assert data["summary"].endswith("的通知已办结：预案响应终止：险情解除")
    terminated = Event.objects.get(type="plan.terminated")
    assert terminated.incident_id == incident.pk and terminated.data["closed_alerts"] == 5
    assert leader.post(f"/api/v1/activations/{aid}/change-level/", {"level": "II"}, format="json").status_code == 409

    types = list(Event.objects.filter(incident_id=incident.pk).values_list("type", flat=True))
    for t in ("plan.activated", "activation.proposed", "plan.level_changed", "plan.terminated"):
        assert t in types


def test_officer_termination_waits_for_approval(client_for, people, flood_plan, incident):
    aid = (
        client_for(people["leader"])
        .post(url(incident), {"plan": flood_plan.pk, "level": "IV"}, format="json")
        .json()["id"]
    )
    resp = client_for(people["officer"]).post(
        f"/api/v1/activations/{aid}/terminate/", {"reason": "已处置完毕"}, format="json"
    )
    assert resp.json()["state"] == "active" and resp.json()["pending"]["action"] == "terminate"
    assert len(open_alerts(aid)) == 2
    assert client_for(people["dleader"]).post(f"/api/v1/activations/{aid}/approve/").json()["state"] == "terminated"
    assert not open_alerts(aid)


def test_activation_is_pinned_to_the_version_it_used(client_for, people, flood_plan, incident, org, admin_user):
    leader, admin = client_for(people["leader"]), client_for(admin_user)
    aid = leader.post(url(incident), {"plan": flood_plan.pk, "level": "IV"}, format="json").json()["id"]
    # the plan is revised: level II now sends the police instead of the fire brigade
    levels = admin.get(f"/api/v1/plans/{flood_plan.pk}/").json()["levels"]
    levels[1]["tasks"] = [task(org["police"], "新版：交通管制")]
    resp = admin.patch(f"/api/v1/plans/{flood_plan.pk}/", {"levels": levels}, format="json")
    assert resp.json()["version"] == 2
    body = leader.post(f"/api/v1/activations/{aid}/change-level/", {"level": "II"}, format="json").json()
    assert body["version"] == 1
    assert ("消防救援支队", "派出抢险救援队伍") in open_alerts(aid)
    assert not any("新版" in duty for _, duty in open_alerts(aid))
    # a new activation (another incident) uses version 2
    other = Incident.objects.create(title="西河漫堤", category="natural_disaster", subtype="flood", grade="II")
    body = leader.post(url(other), {"plan": flood_plan.pk, "level": "II"}, format="json").json()
    assert body["version"] == 2 and {t["duty"] for t in body["tasks"]} >= {"新版：交通管制"}


def test_picture_change_rematches_and_emits_only_when_the_top_match_changes(people, flood_plan, org):
    from incidents.services import intake

    general = services.create_plan(
        clean_plan(
            {
                "code": "LJ-ZT-01",
                "title": "临江市突发事件总体应急预案",
                "kind": "general",
                "status": "issued",
                "levels": [{"level": "I", "criteria": {"grades": ["I"]}}, {"level": "IV"}],
            }
        ),
        people["admin"],
    )
    report, incident, _ = intake(
        {
            "title": "群众聚集",
            "category": "social_security",
            "subtype": "mass_incident",
            "channel": "phone",
            "kind": "first",
        },
        people["officer"],
    )
    # only the general plan fits: it is the top match, and the incident is a coverage gap
    [matched] = Event.objects.filter(type="plan.matched", incident_id=incident.pk)
    assert matched.data["plan"] == general.pk and matched.data["gap"] is True
    assert "预案覆盖缺口" in matched.summary

    # the category is corrected to flood, grade II: the flood plan takes over at level II
    intake(
        {
            "incident": incident,
            "kind": "follow_up",
            "channel": "phone",
            "category": "natural_disaster",
            "subtype": "flood",
            "grade": "II",
        },
        people["officer"],
    )
    events = list(Event.objects.filter(type="plan.matched", incident_id=incident.pk).order_by("seq"))
    assert len(events) == 2
    assert (events[-1].data["plan"], events[-1].data["level"], events[-1].data["gap"]) == (flood_plan.pk, "II", False)
    assert "二级响应" in events[-1].summary

    # a change that does not move the top match emits nothing
    intake({"incident": incident, "kind": "follow_up", "channel": "phone", "injuries": 2}, people["officer"])
    assert Event.objects.filter(type="plan.matched", incident_id=incident.pk).count() == 2


FLOOD_REPORT = {
    "title": "西河漫堤",
    "category": "natural_disaster",
    "subtype": "flood",
    "channel": "phone",
    "kind": "first",
}


def test_a_fault_in_matching_loses_no_report(people, flood_plan, monkeypatch, caplog):
    from incidents.models import Report
    from incidents.services import intake
    from plans import matching

    def broken(incident):
        raise RuntimeError("a bug in matching")

    monkeypatch.setattr(matching, "rank", broken)
    report, incident, _ = intake(FLOOD_REPORT, people["officer"])
    assert Report.objects.filter(pk=report.pk, incident=incident).exists()
    assert Event.objects.filter(type="incident.created", incident_id=incident.pk).exists()
    assert not Event.objects.filter(type="plan.matched", incident_id=incident.pk).exists()
    assert "plan re-matching failed" in caplog.text


def test_a_renamed_subtype_reads_in_the_next_match_reasons(people, flood_plan):
    from incidents.models import Subtype
    from incidents.services import intake

    subtype, _ = Subtype.objects.update_or_create(
        code="flood", defaults={"category": "natural_disaster", "name": "洪水"}
    )
    intake(FLOOD_REPORT, people["officer"])  # the index is built and cached
    subtype.name = "流域性洪水"  # as the admin saves it
    subtype.save()
    _, incident, _ = intake(FLOOD_REPORT, people["officer"])
    [matched] = Event.objects.filter(type="plan.matched", incident_id=incident.pk)
    assert any("流域性洪水" in reason for reason in envelope(matched)["data"]["reasons"])


def test_incident_without_any_plan_is_flagged_as_a_gap(people, client_for):
    from incidents.services import intake

    _, incident, _ = intake(
        {
            "title": "某商场踩踏",
            "category": "social_security",
            "subtype": "mass_incident",
            "channel": "phone",
            "kind": "first",
        },
        people["officer"],
    )
    [gap] = Event.objects.filter(type="plan.matched", incident_id=incident.pk)
    assert gap.data["gap"] is True and gap.data["plan"] is None and "预案覆盖缺口" in gap.summary
    assert client_for(people["officer"]).get(f"/api/v1/incidents/{incident.pk}/plan-matches/").json() == []
    from plans.selectors import coverage_report

    report = coverage_report()
    assert incident.pk in [i.pk for i in report["gap_incidents"]]


def test_liaisons_see_activation_events_of_their_department_tasks(
    client_for, people, flood_plan, incident, org, make_person
):
    client_for(people["leader"]).post(url(incident), {"plan": flood_plan.pk, "level": "II"}, format="json")
    fire = client_for(make_person("liaison", dept=org["fire"]))
    police = client_for(make_person("liaison", dept=org["police"]))
    fire_types = {e["type"] for e in fire.get("/api/v1/events/?after=0").json()["results"]}
    police_types = {e["type"] for e in police.get("/api/v1/events/?after=0").json()["results"]}
    assert "plan.activated" in fire_types  # the fire brigade has a task at level II
    assert "plan.activated" not in police_types  # the police only at level I
