"""Incidents: intake, staged reports, lifecycle, statutory clocks, duplicates, merge,
instructions, transfer, classified deliveries, drills and the timeline."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dutyops.timers import fire_due
from incidents import selectors
from incidents.models import Incident, IncidentClock, Place, Report, ReportPolicy
from incidents.seed import seed_reference_data
from incidents.serializers import ReportSerializer
from incidents.signals import instruction_created, picture_changed
from realtime.models import Event

# Two points in 临江市: the second is ~300 m north-east of the first, the third ~30 km away.
HERE = (28.2000, 112.9600)
NEAR = (28.2020, 112.9622)
FAR = (28.4700, 112.9600)


@pytest.fixture
def taxonomy(db):
    seed_reference_data()


@pytest.fixture
def api(officer, client_for, taxonomy):
    return client_for(officer)


def first_report(**extra):
    body = {
        "kind": "first",
        "channel": "phone",
        "title": "橘子洲段堤防管涌",
        "description": "橘子洲东侧堤防发现管涌险情，正在组织抢护。",
        "category": "natural_disaster",
        "subtype": "flood",
        "grade": "IV",
        "location_text": "橘子洲东侧堤防",
        "latitude": HERE[0],
        "longitude": HERE[1],
        "reporter_name": "李工",
        "reporter_phone": "13900000000",
    }
    body.update(extra)
    return body


def post_report(api, **extra):
    response = api.post("/api/v1/reports/", first_report(**extra), format="json")
    assert response.status_code == 201, response.data
    return response.data


def transition(api, incident_id, to, **extra):
    return api.post(f"/api/v1/incidents/{incident_id}/transition/", {"to": to, **extra}, format="json")


# --- intake -------------------------------------------------------------------


def test_first_report_opens_an_incident_with_its_picture_and_timeline(api, officer):
    received = timezone.now() - timedelta(minutes=3)
    data = post_report(
        api,
        received_at=received.isoformat(),
        answered_at=(received + timedelta(seconds=12)).isoformat(),
        injuries=2,
    )
    incident = api.get(f"/api/v1/incidents/{data['incident']}/").data
    assert incident["status"] == "received"
    assert incident["category"] == "natural_disaster" and incident["subtype"] == "flood"
    assert incident["grade"] == "IV" and incident["injuries"] == 2 and incident["is_drill"] is False
    assert [r["id"] for r in incident["reports"]] == [data["id"]]
    assert incident["reports"][0]["kind"] == "first"
    types = [e["type"] for e in incident["timeline"] if e["type"].split(".")[0] in ("incident", "report")]
    assert types == ["incident.created", "report.created"]
    assert all({"seq", "type", "at", "data"} <= set(e) for e in incident["timeline"])
    report_event = next(e for e in incident["timeline"] if e["type"] == "report.created")
    assert officer.full_name in report_event["data"]["summary"]
    report = Report.objects.get(pk=data["id"])
    assert (report.answered_at - report.received_at).total_seconds() == pytest.approx(12)
    assert data["possible_duplicates"] == []


def test_follow_up_updates_the_picture_and_keeps_every_report(api):
    first = post_report(api)
    follow = api.post(
        "/api/v1/reports/",
        {
            "kind": "follow_up",
            "incident": first["incident"],
            "grade": "III",
            "deaths": 1,
            "injuries": 4,
            "description": "险情扩大，1人遇难。",
            "channel": "phone",
        },
        format="json",
    )
    assert follow.status_code == 201, follow.data
    assert follow.data["incident"] == first["incident"]
    incident = api.get(f"/api/v1/incidents/{first['incident']}/").data
    assert (incident["grade"], incident["deaths"], incident["injuries"]) == ("III", 1, 4)
    assert incident["title"] == "橘子洲段堤防管涌"  # keeps the registered title
    assert [r["kind"] for r in incident["reports"]] == ["first", "follow_up"]
    # The first report is kept as sent.
    assert incident["reports"][0]["grade"] == "IV" and incident["reports"][0]["deaths"] is None
    assert "incident.updated" in [e["type"] for e in incident["timeline"]]


def test_reports_are_never_edited_or_deleted(api):
    data = post_report(api)
    assert api.patch(f"/api/v1/reports/{data['id']}/", {"title": "x"}, format="json").status_code == 405
    assert api.delete(f"/api/v1/reports/{data['id']}/").status_code == 405
    assert api.patch(f"/api/v1/incidents/{data['incident']}/", {"title": "x"}, format="json").status_code == 405


@pytest.mark.parametrize(
    "extra, field",
    [
        ({"latitude": 91}, "latitude"),
        ({"longitude": -181}, "longitude"),
        ({"latitude": None, "longitude": 112.9}, "latitude"),
        ({"deaths": -1}, "deaths"),
        ({"injuries": 10**9}, "injuries"),
        ({"subtype": "volcano"}, "subtype"),
        ({"subtype": "traffic"}, "subtype"),  # an accident subtype under natural disaster
        ({"category": "alien_invasion"}, "category"),
        ({"grade": "V"}, "grade"),
        ({"channel": "pigeon"}, "channel"),
        ({"kind": "first", "category": ""}, "category"),
        ({"title": "", "description": ""}, "title"),
        ({"title": "长" * 201}, "title"),
        ({"reporter_phone": "1" * 33}, "reporter_phone"),
        ({"kind": "follow_up"}, "incident"),
        ({"incident": 999999}, "incident"),
        ({"received_at": "2099-01-01T00:00:00+08:00"}, "received_at"),
        ({"received_at": "yesterday"}, "received_at"),
        ({"classified": True}, "classified"),
    ],
)
def test_bad_intake_is_a_400_with_field_messages_and_writes_nothing(api, extra, field):
    before = (Incident.objects.count(), Report.objects.count(), Event.objects.count())
    response = api.post("/api/v1/reports/", first_report(**extra), format="json")
    assert response.status_code == 400, response.data
    assert field in response.data
    assert (Incident.objects.count(), Report.objects.count(), Event.objects.count()) == before


def test_each_intake_validates_with_fields_of_its_own(taxonomy):
    """The report serializer copies fields built once: one request's binding
    and errors must never show in another's."""
    good = ReportSerializer(data=first_report())
    bad = ReportSerializer(data={"kind": "first", "latitude": 200, "longitude": 1, "injuries": -1})
    assert good.fields["latitude"] is not bad.fields["latitude"]
    assert good.fields["latitude"].parent is good and bad.fields["latitude"].parent is bad
    assert not bad.is_valid() and good.is_valid(), good.errors
    assert set(bad.errors) == {"latitude", "injuries"} and not good.errors
    assert good.validated_data["latitude"] == first_report()["latitude"]
    assert all(field.parent is None for field in ReportSerializer._fields_built.values())


def test_occurred_after_received_and_answered_before_received_are_refused(api):
    now = timezone.now()
    r = api.post(
        "/api/v1/reports/",
        first_report(received_at=(now - timedelta(hours=1)).isoformat(), occurred_at=now.isoformat()),
        format="json",
    )
    assert r.status_code == 400 and "occurred_at" in r.data
    r = api.post(
        "/api/v1/reports/",
        first_report(received_at=now.isoformat(), answered_at=(now - timedelta(minutes=5)).isoformat()),
        format="json",
    )
    assert r.status_code == 400 and "answered_at" in r.data


def test_place_name_is_geocoded_from_the_gazetteer(api):
    Place.objects.create(name="五一广场", district="芙蓉区", latitude=28.196, longitude=112.977)
    from incidents.geo import gazetteer

    gazetteer.clear()  # as import_places does
    data = post_report(api, latitude=None, longitude=None, location_text="五一广场地铁站C出口")
    incident = Incident.objects.get(pk=data["incident"])
    assert (incident.latitude, incident.longitude) == (28.196, 112.977)
    assert api.get("/api/v1/geocode/", {"q": "五一广场"}).data["latitude"] == 28.196
    assert api.get("/api/v1/geocode/", {"q": "不存在的地方"}).status_code == 404


def test_leaders_and_the_board_register_no_reports(make_person, client_for, taxonomy):
    # Operators register every report; duty rooms and liaisons file within their scope
    # (issue 19, tests/incidents/test_filing.py); a leader and the wall board file nothing.
    leader = client_for(make_person("leader"))
    assert leader.post("/api/v1/reports/", first_report(), format="json").status_code == 403
    board = client_for(make_person("board"))
    assert board.post("/api/v1/reports/", first_report(), format="json").status_code == 403


# --- lifecycle ----------------------------------------------------------------

LEGAL = [
    ("received", "verifying"),
    ("received", "responding"),
    ("received", "closed"),
    ("verifying", "responding"),
    ("verifying", "closed"),
    ("responding", "stabilised"),
    ("responding", "closed"),
    ("stabilised", "responding"),
    ("stabilised", "closed"),
]
PATHS = {
    "received": [],
    "verifying": ["verifying"],
    "responding": ["responding"],
    "stabilised": ["responding", "stabilised"],
    "closed": ["closed"],
}


@pytest.mark.parametrize("start, to", LEGAL)
def test_legal_transitions_are_recorded_with_who_when_why(api, officer, start, to):
    incident_id = post_report(api)["incident"]
    for step in PATHS[start]:
        assert transition(api, incident_id, step).status_code == 200
    response = transition(api, incident_id, to, reason="核实情况")
    assert response.status_code == 200, response.data
    assert response.data["status"] == to
    last = Event.objects.filter(incident_id=incident_id).order_by("-seq").first()
    assert last.type == "incident.updated" and last.actor_id == officer.pk
    assert (last.data["from"], last.data["to"], last.data["reason"]) == (start, to, "核实情况")


ILLEGAL = [
    ("received", "stabilised"),
    ("received", "received"),
    ("verifying", "received"),
    ("verifying", "stabilised"),
    ("responding", "received"),
    ("responding", "verifying"),
    ("stabilised", "verifying"),
    ("stabilised", "transferred"),
    ("closed", "stabilised"),
    ("closed", "closed"),
    ("closed", "transferred"),
]


@pytest.mark.parametrize("start, to", ILLEGAL)
def test_illegal_transitions_are_409_and_change_nothing(api, start, to):
    incident_id = post_report(api)["incident"]
    for step in PATHS[start]:
        assert transition(api, incident_id, step).status_code == 200
    events = Event.objects.count()
    response = transition(api, incident_id, to, reason="试试")
    assert response.status_code == 409
    assert Incident.objects.get(pk=incident_id).status == start
    assert Event.objects.count() == events


def test_unknown_status_is_400(api):
    incident_id = post_report(api)["incident"]
    assert transition(api, incident_id, "exploded").status_code == 400


def test_reopen_needs_a_reason(api):
    incident_id = post_report(api)["incident"]
    assert transition(api, incident_id, "closed").status_code == 200
    response = transition(api, incident_id, "responding")
    assert response.status_code == 400 and "reason" in response.data
    response = transition(api, incident_id, "responding", reason="险情反复")
    assert response.status_code == 200 and response.data["status"] == "responding"
    assert response.data["closed_at"] is None


def test_merged_is_terminal(api):
    a, b = post_report(api)["incident"], post_report(api, title="另一起")["incident"]
    assert transition(api, a, "merged", into=b).status_code == 200
    for to in ("received", "verifying", "responding", "closed"):
        assert transition(api, a, to, reason="x").status_code == 409


def test_transfer_needs_the_receiving_side_to_confirm(api, make_department, make_person, client_for):
    township = make_department("东屯渡街道值班室", kind="township")
    incident_id = post_report(api)["incident"]
    response = transition(api, incident_id, "transferred")
    assert response.status_code == 400 and "department" in response.data
    response = transition(api, incident_id, "transferred", department=township.pk, reason="属地管辖")
    assert response.status_code == 200
    assert response.data["transferred_to"] == township.pk and response.data["transfer_confirmed_at"] is None
    item = [i for i in selectors.open_items_for_handover() if i["kind"] == "incident" and i["id"] == incident_id]
    assert item, "an unconfirmed transfer is still ours to hand over"

    outsider = client_for(make_person("liaison", dept=make_department("别的单位")))
    # It may not see the incident: hidden (404), as for every action on an incident.
    assert outsider.post(f"/api/v1/incidents/{incident_id}/confirm-transfer/").status_code == 404
    receiver = client_for(make_person("liaison", dept=township))
    assert receiver.get(f"/api/v1/incidents/{incident_id}/").status_code == 200
    response = receiver.post(f"/api/v1/incidents/{incident_id}/confirm-transfer/")
    assert response.status_code == 200 and response.data["transfer_confirmed_at"]
    assert receiver.post(f"/api/v1/incidents/{incident_id}/confirm-transfer/").status_code == 409
    transferred = Event.objects.filter(incident_id=incident_id, type="incident.transferred").order_by("seq")
    assert [e.data["confirmed"] for e in transferred] == [False, True]
    # Taken back, with a reason.
    assert transition(api, incident_id, "received").status_code == 400
    assert transition(api, incident_id, "received", reason="对方无处置能力").status_code == 200


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


def test_follow_up_cadence_while_responding_and_final_report_after_closing(api):
    data = post_report(api, grade="III")
    incident_id = data["incident"]
    assert transition(api, incident_id, "responding").status_code == 200
    c = clocks(incident_id)
    start = c["follow_up"].due_at - timedelta(minutes=480)
    assert abs((start - timezone.now()).total_seconds()) < 60
    # A follow-up report moves the clock on.
    later = timezone.now() + timedelta(minutes=1)
    api.post(
        "/api/v1/reports/",
        {"kind": "follow_up", "incident": incident_id, "description": "继续抢护", "received_at": later.isoformat()},
        format="json",
    )
    assert clocks(incident_id)["follow_up"].due_at == later + timedelta(minutes=480)
    fire_due(now=later + timedelta(minutes=481))
    assert Event.objects.filter(incident_id=incident_id, type="report.overdue", data__clock="follow_up").exists()

    assert transition(api, incident_id, "closed").status_code == 200
    c = clocks(incident_id)
    assert c["follow_up"].cancelled_at is not None
    closed_at = Incident.objects.get(pk=incident_id).closed_at
    assert c["final"].due_at == closed_at + timedelta(days=15)
    api.post("/api/v1/reports/", {"kind": "final", "incident": incident_id, "description": "处置完毕"}, format="json")
    assert clocks(incident_id)["final"].satisfied_at is not None
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


# --- duplicates and merge -----------------------------------------------------


def test_a_report_300_m_away_is_a_possible_duplicate_30_km_is_not(api):
    original = post_report(api)["incident"]
    near = post_report(api, latitude=NEAR[0], longitude=NEAR[1], title="橘子洲东堤管涌险情")
    assert near["possible_duplicates"] == [original]
    far = post_report(api, latitude=FAR[0], longitude=FAR[1], title="橘子洲东堤管涌险情")
    assert original not in far["possible_duplicates"]
    # Different category at the same place: not a duplicate.
    other = post_report(
        api, category="accident_disaster", subtype="traffic", title="橘子洲大桥车辆追尾", description="两车追尾"
    )
    assert other["possible_duplicates"] == []
    # A drill never matches a real incident.
    drill = post_report(api, latitude=NEAR[0], longitude=NEAR[1], is_drill=True)
    assert drill["possible_duplicates"] == []


def test_duplicates_outside_the_time_window_or_closed_do_not_count(api):
    old = timezone.now() - timedelta(days=3)
    post_report(api, received_at=old.isoformat())
    closed = post_report(api)["incident"]
    transition(api, closed, "closed")
    assert post_report(api, latitude=NEAR[0], longitude=NEAR[1])["possible_duplicates"] == []


def test_merge_keeps_every_report_and_both_timelines(api):
    a = post_report(api)
    b = post_report(api, latitude=NEAR[0], longitude=NEAR[1], channel="hotline", reporter_name="市民")
    c = api.post("/api/v1/reports/", {"kind": "follow_up", "incident": b["incident"], "injuries": 1}, format="json")
    response = api.post(
        f"/api/v1/incidents/{b['incident']}/merge/", {"into": a["incident"], "reason": "同一险情"}, format="json"
    )
    assert response.status_code == 200, response.data
    target = api.get(f"/api/v1/incidents/{a['incident']}/").data
    assert {r["id"] for r in target["reports"]} == {a["id"], b["id"], c.data["id"]}
    types = [e["type"] for e in target["timeline"]]
    assert types.count("incident.created") == 2 and types.count("incident.merged") == 1
    merged = api.get(f"/api/v1/incidents/{b['incident']}/").data
    assert merged["status"] == "merged" and merged["merged_into"] == a["incident"]
    # A late report on the merged incident lands on the survivor.
    late = api.post("/api/v1/reports/", {"kind": "follow_up", "incident": b["incident"], "deaths": 0}, format="json")
    assert late.data["incident"] == a["incident"]
    assert (
        api.post(f"/api/v1/incidents/{a['incident']}/merge/", {"into": a["incident"]}, format="json").status_code == 409
    )
    assert selectors.active_incidents().filter(pk=b["incident"]).count() == 0


def test_merge_refuses_drill_into_real(api):
    real = post_report(api)["incident"]
    drill = post_report(api, is_drill=True)["incident"]
    assert api.post(f"/api/v1/incidents/{drill}/merge/", {"into": real}, format="json").status_code == 409


# --- instructions, signals, classified, drills --------------------------------


def test_leaders_write_instructions_others_get_403(api, make_person, client_for):
    incident_id = post_report(api)["incident"]
    seen = []

    def receiver(sender, instruction, **kwargs):
        seen.append(instruction.pk)

    instruction_created.connect(receiver)
    try:
        for role in ("leader", "duty_leader"):
            leader = make_person(role)
            response = client_for(leader).post(
                f"/api/v1/incidents/{incident_id}/instructions/", {"text": "全力搜救，确保群众安全。"}, format="json"
            )
            assert response.status_code == 201, response.data
            assert response.data["author_name"] == str(leader)
    finally:
        instruction_created.disconnect(receiver)
    assert len(seen) == 2
    listed = api.get(f"/api/v1/incidents/{incident_id}/instructions/").json()
    assert [i["text"] for i in listed] == ["全力搜救，确保群众安全。"] * 2  # a plain list, not a page
    for role in ("duty_officer", "liaison", "admin"):
        assert (
            client_for(make_person(role))
            .post(f"/api/v1/incidents/{incident_id}/instructions/", {"text": "x"}, format="json")
            .status_code
            == 403
        )
    assert (
        client_for(make_person("leader"))
        .post(f"/api/v1/incidents/{incident_id}/instructions/", {"text": ""}, format="json")
        .status_code
        == 400
    )
    timeline = api.get(f"/api/v1/incidents/{incident_id}/").data["timeline"]
    instructions = [e for e in timeline if e["type"] == "instruction.created"]
    assert len(instructions) == 2 and "批示" in instructions[0]["data"]["summary"]
    assert {i["kind"] for i in selectors.open_items_for_handover()} >= {"incident", "instruction", "report_clock"}


def test_picture_changed_is_sent_on_create_and_on_change(api):
    seen = []

    def receiver(sender, incident, **kwargs):
        seen.append((incident.pk, incident.grade))

    picture_changed.connect(receiver)
    try:
        data = post_report(api)
        api.post("/api/v1/reports/", {"kind": "follow_up", "incident": data["incident"], "grade": "II"}, format="json")
        api.post("/api/v1/reports/", {"kind": "follow_up", "incident": data["incident"], "grade": "II"}, format="json")
    finally:
        picture_changed.disconnect(receiver)
    assert seen == [(data["incident"], "IV"), (data["incident"], "II")]


def test_classified_records_metadata_only(api):
    incident_id = post_report(api)["incident"]
    meta = {
        "incident": incident_id,
        "reference_number": "临密〔2026〕12号",
        "delivered_by": "机要员 刘",
        "recipient": "市委办公室",
        "delivered_at": timezone.now().isoformat(),
    }
    for content_key in ("content", "text", "description", "title", "attachment"):
        response = api.post("/api/v1/classified-deliveries/", {**meta, content_key: "绝密内容"}, format="json")
        assert response.status_code == 400 and content_key in response.data
    response = api.post("/api/v1/classified-deliveries/", meta, format="json")
    assert response.status_code == 201, response.data
    event = Event.objects.get(type="classified.delivered")
    assert "绝密内容" not in str(event.data) and event.data["reference_number"] == "临密〔2026〕12号"


def test_drills_are_marked_everywhere_and_excluded_from_statistics(api):
    post_report(api)
    drill = post_report(api, is_drill=True, title="演练：堤防管涌")
    stats = selectors.statistics()
    assert stats["incidents"] == 1 and stats["reports"] == 1
    events = Event.objects.filter(incident_id=drill["incident"], type__regex=r"^(incident|report)\.")
    assert events.count() == 2
    assert all(e.data["is_drill"] for e in events)
    assert all("演练" in e.summary for e in events)
    # A real follow-up cannot be filed on a drill.
    r = api.post(
        "/api/v1/reports/", {"kind": "follow_up", "incident": drill["incident"], "is_drill": False}, format="json"
    )
    assert r.status_code == 400 and "is_drill" in r.data
    r = api.post("/api/v1/reports/", {"kind": "follow_up", "incident": drill["incident"]}, format="json")
    assert r.status_code == 201 and Report.objects.get(pk=r.data["id"]).is_drill


def test_liaison_sees_only_its_departments_incidents(api, make_department, make_person, client_for):
    mine = post_report(api)["incident"]
    dept = make_department("水利局")
    transition(api, mine, "transferred", department=dept.pk, reason="移交")
    post_report(api, title="别的事件")
    liaison = client_for(make_person("liaison", dept=dept))
    listed = liaison.get("/api/v1/incidents/").data
    assert [i["id"] for i in listed["results"]] == [mine]


def test_list_is_paginated_and_bounded_in_queries(api, django_assert_max_num_queries):
    for n in range(5):
        post_report(api, title=f"事件{n}", latitude=28 + n, longitude=112)
    with django_assert_max_num_queries(12):
        response = api.get("/api/v1/incidents/")
    assert response.data["count"] == 5 and len(response.data["results"]) == 5
    # The list carries report ids (the detail has the full reports), as the schema says.
    row = response.json()["results"][0]
    assert row["reports"] and all(isinstance(r, int) for r in row["reports"])
    assert row["timeline"] == [] and row["instructions"] == []
    detail = api.get(f"/api/v1/incidents/{row['id']}/").json()
    assert [r["id"] for r in detail["reports"]] == row["reports"] and detail["timeline"]
