"""Accountability (issue 19): the register of late/omitted/concealed/false reports and the
staff error register are records (who decided, never rewritten; corrections are new
records), kept within each role's scope, and per-person duty discipline shows in the
performance figures and the monthly circular."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from accountability.models import DisciplineRule, ReportingFinding, StaffError
from duty.models import Absence, Shift
from incidents.models import Incident, Report

TZ = ZoneInfo("Asia/Shanghai")


def at(day, hour, minute=0, second=0):
    return dt.datetime(2026, 11, day, hour, minute, second, tzinfo=TZ)


@pytest.fixture(autouse=True)
def _clock(time_machine):
    """The figures are for November 2026: the clock stands still on 20 November."""
    time_machine.move_to(at(20, 10), tick=False)


@pytest.fixture
def tree(department, make_department):
    return {
        "office": department,
        "frq": make_department("芙蓉区值班室", kind="district", parent=department),
        "ylq": make_department("岳麓区值班室", kind="district", parent=department),
        "water": make_department("市水利局", parent=department),
    }


@pytest.fixture
def people(tree, make_person):
    return {
        "office_leader": make_person("duty_leader", full_name="陈带班"),
        "officer": make_person("duty_officer", full_name="张值班"),
        "leader": make_person("leader"),
        "frq_leader": make_person("duty_leader", dept=tree["frq"]),
        "frq_officer": make_person("duty_officer", dept=tree["frq"], full_name="芙蓉值班员"),
        "ylq_officer": make_person("duty_officer", dept=tree["ylq"]),
        "liaison": make_person("liaison", dept=tree["water"]),
        "board": make_person("board"),
    }


def finding(department, person=None, **extra):
    body = {"kind": "late", "department": department.pk, "finding": "首报超过30分钟时限，迟报42分钟。", **extra}
    if person is not None:
        body["person"] = person.pk
    return body


def test_a_finding_is_a_record_and_a_correction_is_a_new_one(tree, people, client_for):
    office = client_for(people["office_leader"])
    made = office.post(
        "/api/v1/findings/", finding(tree["frq"], people["frq_officer"], decision="通报批评"), format="json"
    )
    assert made.status_code == 201, made.content
    record = made.json()
    assert record["decided_by"] == people["office_leader"].pk and record["kind_label"] == "迟报"
    url = f"/api/v1/findings/{record['id']}/"
    for method in ("put", "patch", "delete"):
        assert getattr(office, method)(url, {"finding": "改写"}, format="json").status_code == 405
    stored = ReportingFinding.objects.get(pk=record["id"])
    stored.finding = "改写"
    with pytest.raises(ValueError):
        stored.save()
    with pytest.raises(ValueError):
        stored.delete()
    assert ReportingFinding.objects.get(pk=record["id"]).finding.startswith("首报超过")

    withdrawn = office.post(
        "/api/v1/findings/",
        finding(
            tree["frq"],
            people["frq_officer"],
            corrects=record["id"],
            withdrawn=True,
            finding="经复核系系统时钟错误，撤销。",
        ),
        format="json",
    )
    assert withdrawn.status_code == 201 and withdrawn.json()["corrects"] == record["id"]
    assert ReportingFinding.objects.count() == 2
    # A correction names a record of the same unit; a withdrawal names what it withdraws.
    assert (
        office.post("/api/v1/findings/", finding(tree["ylq"], corrects=record["id"]), format="json").status_code == 400
    )
    assert office.post("/api/v1/findings/", finding(tree["frq"], withdrawn=True), format="json").status_code == 400
    assert office.post("/api/v1/findings/", finding(tree["frq"], kind="maybe"), format="json").status_code == 400
    assert office.post("/api/v1/findings/", finding(tree["frq"], finding="  "), format="json").status_code == 400

    errors = client_for(people["office_leader"])
    made = errors.post(
        "/api/v1/staff-errors/",
        {
            "kind": "record",
            "person": people["officer"].pk,
            "occurred_at": at(18, 9).isoformat(),
            "description": "事件地点登记错误。",
        },
        format="json",
    )
    assert made.status_code == 201, made.content
    assert made.json()["department"] == tree["office"].pk and made.json()["recorded_by"] == people["office_leader"].pk
    for method in ("put", "patch", "delete"):
        assert (
            getattr(errors, method)(f"/api/v1/staff-errors/{made.json()['id']}/", {}, format="json").status_code == 405
        )


def test_each_role_records_and_reads_within_its_scope(tree, people, client_for):
    # A district's duty leader holds its own room to account, not another's.
    frq = client_for(people["frq_leader"])
    own = frq.post("/api/v1/findings/", finding(tree["frq"], people["frq_officer"]), format="json")
    assert own.status_code == 201, own.content
    assert frq.post("/api/v1/findings/", finding(tree["ylq"]), format="json").status_code == 403
    error = {"kind": "intake", "occurred_at": at(19, 8).isoformat(), "description": "漏记来电人电话。"}
    assert (
        frq.post("/api/v1/staff-errors/", {**error, "person": people["frq_officer"].pk}, format="json").status_code
        == 201
    )
    assert (
        frq.post("/api/v1/staff-errors/", {**error, "person": people["ylq_officer"].pk}, format="json").status_code
        == 403
    )
    assert (
        frq.post("/api/v1/staff-errors/", {**error, "person": people["officer"].pk}, format="json").status_code == 403
    )
    # Officers, liaisons and the wall board decide nothing; a government leader may.
    for who in ("officer", "frq_officer", "liaison", "board"):
        assert (
            client_for(people[who]).post("/api/v1/findings/", finding(tree["water"]), format="json").status_code == 403
        )
        assert (
            client_for(people[who])
            .post("/api/v1/staff-errors/", {**error, "person": people["officer"].pk}, format="json")
            .status_code
            == 403
        )
    assert (
        client_for(people["leader"])
        .post("/api/v1/findings/", finding(tree["water"], kind="omitted"), format="json")
        .status_code
        == 201
    )
    assert ReportingFinding.objects.count() == 2 and StaffError.objects.count() == 1

    # Reading: the office all; a district its subtree; a liaison its own department; the board nothing.
    def ids(who, url="/api/v1/findings/"):
        response = client_for(people[who]).get(url)
        return response.status_code, {row["department"] for row in response.json().get("results", [])}

    assert ids("officer") == (200, {tree["frq"].pk, tree["water"].pk})
    assert ids("frq_officer") == (200, {tree["frq"].pk})
    assert ids("ylq_officer") == (200, set())
    assert ids("liaison") == (200, {tree["water"].pk})
    assert ids("board")[0] == 403
    assert ids("liaison", "/api/v1/staff-errors/") == (200, set())
    other = ReportingFinding.objects.get(department=tree["frq"])
    assert client_for(people["liaison"]).get(f"/api/v1/findings/{other.pk}/").status_code == 404


def _answered(person, seconds, day=18):
    incident = Incident.objects.create(title="来电", category="accident_disaster", duty_room=person.department)
    received = at(day, 9)
    return Report.objects.create(
        incident=incident,
        created_by=person,
        received_at=received,
        answered_at=received + dt.timedelta(seconds=seconds),
        category="accident_disaster",
        title="来电",
    )


def test_duty_discipline_per_person_in_the_figures_and_the_circular(tree, people, client_for, admin_user):
    officer = people["officer"]
    _answered(officer, 20)  # over the default 3 rings of 5 seconds
    _answered(officer, 5)
    drill = _answered(officer, 90)
    Report.objects.filter(pk=drill.pk).update(is_drill=True)  # drills never count
    shift = Shift.objects.create(duty_room=tree["office"], starts_at=at(17, 8, 30), ends_at=at(18, 8, 30))
    Absence.objects.create(shift=shift, person=officer, kind="absent_from_post", detected_at=at(17, 23))
    leader = client_for(people["office_leader"])
    error = leader.post(
        "/api/v1/staff-errors/",
        {
            "kind": "relay",
            "person": officer.pk,
            "occurred_at": at(18, 10).isoformat(),
            "description": "批示传达遗漏一个单位。",
        },
        format="json",
    ).json()
    leader.post("/api/v1/findings/", finding(tree["office"], officer), format="json")

    def row(client, person):
        figures = client.get("/api/v1/performance/", {"month": "2026-11"}).json()
        found = [r for r in figures["people"] if r["person"] == person.pk]
        return found[0] if found else None

    mine = row(client_for(officer), officer)
    assert mine["person_name"] == "张值班" and mine["answer_limit_seconds"] == 15
    assert (mine["answered"], mine["answered_over_limit"]) == (2, 1)
    assert (mine["absences"], mine["errors"], mine["reporting_findings"]) == (1, 1, 1)
    # Another room's people and the wall board do not read them.
    assert row(client_for(people["frq_officer"]), officer) is None
    assert row(client_for(people["liaison"]), officer) is None
    assert client_for(people["board"]).get("/api/v1/performance/", {"month": "2026-11"}).json()["people"] == []

    # The policy is data: 30 seconds for the office, and the slow answer is within it.
    DisciplineRule.objects.create(duty_room=tree["office"], max_seconds=30)
    assert row(client_for(officer), officer)["answered_over_limit"] == 0
    # A withdrawn error no longer counts; the record and its withdrawal both stay.
    leader.post(
        "/api/v1/staff-errors/",
        {
            **{k: error[k] for k in ("kind", "person", "occurred_at")},
            "description": "复核：已传达，撤销。",
            "corrects": error["id"],
            "withdrawn": True,
        },
        format="json",
    )
    assert row(client_for(officer), officer)["errors"] == 0 and StaffError.objects.count() == 2

    page = client_for(officer)
    page.force_login(officer)
    html = page.get("/alerts/performance/?month=2026-11").content.decode()
    assert "值班纪律（个人）" in html and "张值班" in html

    circular = client_for(people["office_leader"]).post("/api/v1/circulars/", {"period": "2026-11"}, format="json")
    assert circular.status_code == 201, circular.content
    body = circular.json()
    people_rows = {r["person"]: r for r in body["figures"]["people"]}
    assert people_rows[officer.pk]["absences"] == 1 and people_rows[officer.pk]["reporting_findings"] == 1
    assert "值班纪律" in body["text"] and "张值班" in body["text"]


def test_clocks_that_ran_out_are_candidates_until_a_finding_is_made(tree, people, client_for):
    from incidents.models import IncidentClock

    late = Incident.objects.create(title="迟报的事件", category="accident_disaster", duty_room=tree["frq"])
    IncidentClock.objects.create(
        incident=late, kind="phone", due_at=at(18, 9), overdue_at=at(18, 9), satisfied_at=at(18, 9, 40)
    )
    missed = Incident.objects.create(title="漏报的事件", category="accident_disaster", duty_room=tree["ylq"])
    IncidentClock.objects.create(incident=missed, kind="written", due_at=at(19, 9), overdue_at=at(19, 9))

    def candidates(who):
        response = client_for(people[who]).get("/api/v1/findings/candidates/")
        return response.status_code, {
            (r["incident"], r["kind"]) for r in response.json()
        } if response.status_code == 200 else None

    assert candidates("office_leader") == (200, {(late.pk, "late"), (missed.pk, "omitted")})
    assert candidates("frq_leader") == (200, {(late.pk, "late")})  # its own room's only
    for who in ("officer", "liaison", "board"):
        assert candidates(who)[0] == 403
    client_for(people["frq_leader"]).post("/api/v1/findings/", finding(tree["frq"], incident=late.pk), format="json")
    assert candidates("office_leader") == (200, {(missed.pk, "omitted")})
