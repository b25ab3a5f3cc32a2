"""What a high-impact action will do, said before it is done (plans/consequences.py,
GET /api/v1/consequences/): the confirmation dialog's words and the departments."""

import pytest

from alerts.models import Alert
from incidents.models import Incident
from plans import services
from plans.documents import clean_plan
from tests.plans.test_activation import task


@pytest.fixture
def org(make_department, department):
    return {
        "water": make_department("水利局", parent=department),
        "fire": make_department("消防救援支队", parent=department),
        "health": make_department("卫健委", parent=department),
    }


@pytest.fixture
def plan(org, make_person):
    doc = {
        "code": "LJ-CQ-01",
        "title": "临江市防汛应急预案",
        "kind": "specific",
        "status": "issued",
        "category": "natural_disaster",
        "subtypes": ["flood"],
        "lead_department": org["water"].pk,
        "levels": [
            {"level": "II", "criteria": {"grades": ["II"]}, "tasks": [task(org["fire"], "派出抢险救援队伍", ack=15)]},
            {"level": "IV", "criteria": {}, "tasks": [task(org["water"], "加强水情监测"), task(org["health"], "医疗救护待命")]},
        ],
    }  # fmt: skip
    return services.create_plan(clean_plan(doc), make_person("admin"))


@pytest.fixture
def incident():
    return Incident.objects.create(title="东江溃堤", category="natural_disaster", subtype="flood", grade="II")


def ask(client, **params):
    return client.get("/api/v1/consequences/", params)


def test_activation_names_each_department_and_its_tasks_and_sends_nothing(client_for, make_person, plan, incident):
    leader = client_for(make_person("leader"))
    r = ask(leader, action="activate", incident=incident.pk, plan=plan.pk, level="II")
    assert r.status_code == 200, r.content
    body = r.json()
    assert {d["name"]: d["tasks"] for d in body["departments"]} == {
        "消防救援支队": ["派出抢险救援队伍"],
        "水利局": ["加强水情监测"],
        "卫健委": ["医疗救护待命"],
    }
    text = " ".join(body["lines"] + [i for s in body["sections"] for i in s["items"]])
    assert "消防救援支队：派出抢险救援队伍（15 分钟内签收）" in text and "立即" in text and "3 个单位" in text
    assert body["title"].startswith("启动“临江市防汛应急预案”") and body["confirm"] == "确认启动"
    assert not Alert.objects.exists()  # a read: nothing sent
    # An officer's activation waits for approval, and the dialog says so.
    officer = ask(
        client_for(make_person("duty_officer")), action="activate", incident=incident.pk, plan=plan.pk, level="IV"
    )
    assert "审批" in " ".join(officer.json()["lines"]) and len(officer.json()["departments"]) == 2


def test_level_change_termination_and_approval_say_what_follows(client_for, make_person, plan, incident):
    leader = make_person("leader")
    activation = services.propose_activation(incident, plan, "IV", leader)
    client = client_for(leader)
    up = ask(client, action="change_level", activation=activation.pk, level="II").json()
    assert [d["name"] for d in up["departments"]] == ["消防救援支队"]  # only what is not yet sent
    down = services.change_level(activation, "II", leader)
    lower = ask(client, action="change_level", activation=down.pk, level="IV").json()
    assert lower["departments"] == [] and "不下发新任务" in " ".join(lower["lines"])
    end = ask(client, action="terminate", activation=activation.pk).json()
    assert len(end["departments"]) == 3 and "随之办结" in " ".join(end["lines"])
    officer = make_person("duty_officer")
    pending = services.propose_activation(
        Incident.objects.create(title="又一处险情", category="natural_disaster"), plan, "IV", officer
    )
    approve = ask(client, action="approve", activation=pending.pk).json()
    assert approve["title"].startswith("批准：") and {d["name"] for d in approve["departments"]} == {"水利局", "卫健委"}


def test_close_and_merge_show_the_incidents(client_for, make_person, incident):
    officer = client_for(make_person("duty_officer"))
    other = Incident.objects.create(title="东江大堤管涌", category="natural_disaster")
    merge = ask(officer, action="merge", incident=other.pk, into=incident.pk).json()
    items = [i for s in merge["sections"] for i in s["items"]]
    assert items[0].startswith(f"#{other.pk} 东江大堤管涌") and items[1].startswith(f"#{incident.pk} 东江溃堤")
    assert merge["confirm"] == "确认合并"
    close = ask(officer, action="close", incident=incident.pk).json()
    assert close["title"] == f"办结事件 #{incident.pk} 东江溃堤？" and close["confirm"] == "确认办结"
    assert ask(officer, action="merge", incident=incident.pk, into=incident.pk).status_code == 409


def test_nobody_learns_about_what_they_may_not_see(client_for, make_person, make_department, plan, incident):
    outsider = make_person("liaison", dept=make_department("外单位"))
    client = client_for(outsider)
    for params in (
        {"action": "activate", "incident": incident.pk, "plan": plan.pk, "level": "II"},
        {"action": "close", "incident": incident.pk},
        {"action": "merge", "incident": incident.pk, "into": incident.pk},
    ):
        r = ask(client, **params)
        assert r.status_code == 400 and "东江溃堤" not in r.content.decode()
    assert ask(client, action="nonsense").status_code == 400
    assert client_for(make_person("leader")).get("/api/v1/consequences/", {"action": "activate"}).status_code == 400
