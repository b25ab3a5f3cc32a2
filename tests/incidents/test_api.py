"""Incidents through the API: intake and staged reports, and the lifecycle (transitions,
transfer). Clocks: test_api_clocks.py; duplicates and merge: test_api_merge.py;
instructions, signals, classified deliveries, drills, lists: test_api_instructions.py."""

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents import selectors
from incidents.models import Incident, Place, Report, Subtype
from incidents.serializers import ReportSerializer
from realtime.models import Event
from tests.incidents import api_steps
from tests.incidents.api_steps import first_report, post_report, transition

# The officer's API client without the gazetteer (api_steps), as these tests were written.
api = api_steps.api


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
        ({"received_at": "tomorrow"}, "received_at"),  # built from now in the test
        ({"received_at": "yesterday"}, "received_at"),
        ({"classified": True}, "classified"),
    ],
)
def test_bad_intake_is_a_400_with_field_messages_and_writes_nothing(api, extra, field):
    if extra.get("received_at") == "tomorrow":  # in the future whatever today is
        extra = {"received_at": (timezone.now() + timedelta(days=1)).isoformat()}
    before = (Incident.objects.count(), Report.objects.count(), Event.objects.count())
    response = api.post("/api/v1/reports/", first_report(**extra), format="json")
    assert response.status_code == 400, response.data
    assert field in response.data
    assert (Incident.objects.count(), Report.objects.count(), Event.objects.count()) == before


def test_a_subtype_retired_or_restored_in_the_admin_applies_to_the_next_report(api):
    """The taxonomy is kept in memory for validation; an edit reaches the next report."""
    flood = Subtype.objects.get(code="flood")
    assert api.post("/api/v1/reports/", first_report(), format="json").status_code == 201
    flood.active = False
    flood.save()
    refused = api.post("/api/v1/reports/", first_report(title="又一处管涌"), format="json")
    assert refused.status_code == 400 and "subtype" in refused.data
    flood.active = True
    flood.save()
    assert api.post("/api/v1/reports/", first_report(title="第三处管涌"), format="json").status_code == 201


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
