"""CAP 1.2 warnings: the samples of tests/data/cap (written from the CAP 1.2 specification)
import with their severity, urgency, certainty, colour, area, onset and expiry; an update
and a cancel take the earlier warning off the board; hostile or broken XML is a 400 that
writes nothing; who may import and read them."""

import datetime

import pytest
from django.utils import timezone

from inbound import selectors
from inbound.models import CapWarning
from incidents.models import Incident, Report
from realtime.models import Event
from tests.inbound.conftest import cap_document

XML = "application/xml"


def post_cap(client, document, content_type=XML, **extra):
    return client.post("/api/v1/cap/", data=document, content_type=content_type, **extra)


def test_the_samples_import_with_their_levels_areas_and_times(source, system):
    client = system(source.key)
    now = timezone.now().replace(microsecond=0)
    onset, expires = now, now + datetime.timedelta(hours=6)

    red = post_cap(client, cap_document("red-rainstorm-polygon.xml", onset=onset, expires=expires))
    assert red.status_code == 201, red.content
    body = red.json()
    assert (body["event"], body["colour"], body["colour_label"]) == ("暴雨", "red", "红色")
    assert (body["severity"], body["urgency"], body["certainty"]) == ("Extreme", "Immediate", "Observed")
    assert body["msg_type"] == "Alert" and body["status"] == "Actual" and body["categories"] == ["Met"]
    assert datetime.datetime.fromisoformat(body["onset"]) == onset
    assert datetime.datetime.fromisoformat(body["expires"]) == expires
    area = body["areas"][0]
    assert area["desc"] == "岳麓区、开福区" and len(area["polygons"][0]) == 5
    assert set(area["places"]) == {"岳麓区", "开福区"}
    assert (body["latitude"], body["longitude"]) == pytest.approx((28.24, 112.925))
    assert body["in_force"] is True
    warning = CapWarning.objects.get(pk=body["id"])
    assert warning.source == source and "LJQX-2026-RAIN-0001" in warning.document

    typhoon = post_cap(client, cap_document("orange-typhoon-circle.xml")).json()
    # The Chinese <info> is the one read; the colour comes from its headline (台风橙色预警).
    assert (typhoon["event"], typhoon["colour"], typhoon["severity"]) == ("台风", "orange", "Severe")
    assert typhoon["areas"][0]["circles"] == [{"lat": 28.2, "lon": 112.95, "radius_km": 60.0}]
    assert (typhoon["latitude"], typhoon["longitude"]) == pytest.approx((28.2, 112.95))

    heat = post_cap(client, cap_document("yellow-heat-areadesc.xml")).json()
    assert (heat["event"], heat["colour"], heat["urgency"]) == ("高温", "yellow", "Future")
    area = heat["areas"][0]
    assert area["polygons"] == [] and area["circles"] == [] and area["places"] == ["望城区", "芙蓉区"]
    # Without a polygon or circle the warning is placed at the gazetteer's places it names.
    assert (heat["latitude"], heat["longitude"]) == pytest.approx(((28.36 + 28.193) / 2, (112.83 + 113.0) / 2))

    on_board = [w["id"] for w in selectors.board_rows()]
    assert on_board[0] == red.json()["id"]  # most severe first
    assert set(on_board) == {red.json()["id"], typhoon["id"], heat["id"]}

    # An update takes the red warning's place on the board; a cancel takes the update off.
    update = post_cap(client, cap_document("red-rainstorm-update.xml")).json()
    assert update["msg_type"] == "Update" and update["replaces"] == red.json()["id"]
    assert CapWarning.objects.get(pk=red.json()["id"]).superseded_by_id == update["id"]
    on_board = {w["id"] for w in selectors.board_rows()}
    assert update["id"] in on_board and red.json()["id"] not in on_board

    cancel = post_cap(client, cap_document("red-rainstorm-cancel.xml"))
    assert cancel.status_code == 201, cancel.content
    assert cancel.json()["msg_type"] == "Cancel" and cancel.json()["replaces"] == update["id"]
    on_board = {w["id"] for w in selectors.board_rows()}
    assert on_board == {typhoon["id"], heat["id"]}

    active = client.get("/api/v1/warnings/", {"active": "1"})
    assert active.status_code == 401  # a system imports; people read
    assert Event.objects.filter(type="warning.imported").count() == 5


def test_a_warning_shows_on_the_board_until_it_expires(source, system, officer, client_for, make_person):
    now = timezone.now().replace(microsecond=0)
    document = cap_document("yellow-heat-areadesc.xml", onset=now, expires=now + datetime.timedelta(hours=2))
    warning_id = post_cap(system(source.key), document).json()["id"]
    assert [w["id"] for w in selectors.board_rows(now + datetime.timedelta(hours=1))] == [warning_id]
    assert selectors.board_rows(now + datetime.timedelta(hours=2, seconds=1)) == []

    board = make_person("board")
    snapshot = client_for(board).get("/api/v1/board/snapshot/").json()
    assert [w["id"] for w in snapshot["warnings"]] == [warning_id]
    assert snapshot["warnings"][0]["colour"] == "yellow"
    listed = client_for(officer).get("/api/v1/warnings/", {"active": "1"}).json()
    assert [w["id"] for w in listed["results"]] == [warning_id]
    # The board page carries the panel (and its script); the rest of the layout is untouched.
    page = client_for(officer)
    page.force_login(officer)
    html = page.get("/board/").content.decode()
    assert 'id="warning-panel"' in html and "inbound/warnings.js" in html


def _counts():
    return (CapWarning.objects.count(), Event.objects.count(), Incident.objects.count(), Report.objects.count())


@pytest.mark.parametrize(
    "name",
    ["billion-laughs.xml", "external-entity.xml", "malformed.xml"],
)
def test_hostile_and_malformed_documents_are_refused_and_write_nothing(source, system, name):
    before = _counts()
    response = post_cap(system(source.key), cap_document(name), HTTP_IDEMPOTENCY_KEY=f"k-{name}")
    assert response.status_code == 400, response.content
    assert response.json()["document"]
    assert _counts() == before


def test_oversized_and_not_cap_documents_are_refused_and_write_nothing(source, system):
    client = system(source.key)
    before = _counts()
    huge = cap_document("red-rainstorm-polygon.xml").replace(b"</description>", b"x" * 600_000 + b"</description>")
    response = post_cap(client, huge)
    assert response.status_code == 400 and "512" in str(response.json())
    bigger = b"<alert>" + b"a" * 3_000_000 + b"</alert>"  # beyond Django's own upload limit too
    assert post_cap(client, bigger, HTTP_IDEMPOTENCY_KEY="big").status_code == 400
    for document in (
        b"",
        b"<rss><channel/></rss>",
        b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.1"><identifier>x</identifier></alert>',
        cap_document("red-rainstorm-polygon.xml").replace(
            b"<severity>Extreme</severity>", b"<severity>Huge</severity>"
        ),
        cap_document("red-rainstorm-polygon.xml").replace(b"28.30,112.85</polygon>", b"0,0</polygon>"),
        cap_document("red-rainstorm-polygon.xml").replace(b"+08:00</sent>", b"</sent>"),
        "<?xml version='1.0' encoding='utf-8'?><alert>\udcff</alert>".encode("utf-8", "surrogateescape"),
    ):
        response = post_cap(client, document)
        assert response.status_code == 400, (document[:80], response.content)
    assert post_cap(client, b"{}", content_type="application/json").status_code == 415
    assert _counts() == before


def test_the_same_document_again_answers_with_its_warning_and_a_changed_one_conflicts(source, system):
    client = system(source.key)
    document = cap_document("yellow-heat-areadesc.xml")
    first = post_cap(client, document)
    again = post_cap(client, document)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    changed = document.replace("35℃".encode(), "37℃".encode())
    assert post_cap(client, changed).status_code == 409
    assert CapWarning.objects.count() == 1


def test_who_may_import_and_read_warnings(source, system, officer, client_for, make_person, make_department, water):
    document = cap_document("yellow-heat-areadesc.xml")
    liaison = make_person("liaison", dept=water)
    leader = make_person("leader")
    board = make_person("board")
    from rest_framework.test import APIClient

    assert post_cap(APIClient(), document).status_code == 401
    assert post_cap(system("dsk_not-a-key"), document).status_code == 401
    for person in (liaison, leader, board):
        assert post_cap(client_for(person), document).status_code == 403, person
    assert CapWarning.objects.count() == 0
    imported = post_cap(client_for(officer), document)  # the office may upload a document by hand
    assert imported.status_code == 201
    warning = CapWarning.objects.get()
    assert warning.imported_by == officer and warning.source is None

    assert client_for(liaison).get("/api/v1/warnings/").status_code == 403
    assert client_for(board).get("/api/v1/warnings/").status_code == 200
    assert client_for(leader).get(f"/api/v1/warnings/{warning.pk}/").status_code == 200
    # Opening an incident from a warning: the office's operators, not a leader, a liaison or the board.
    for person in (liaison, leader, board):
        assert client_for(person).post(f"/api/v1/warnings/{warning.pk}/incident/").status_code == 403
    assert Incident.objects.count() == 0


def test_a_warning_opens_an_incident_that_plans_are_matched_on(source, system, officer, client_for):
    from incidents.signals import picture_changed

    seen = []

    def receiver(sender, incident=None, **kwargs):
        seen.append(incident.pk)

    picture_changed.connect(receiver)
    try:
        warning = post_cap(system(source.key), cap_document("red-rainstorm-polygon.xml")).json()
        response = client_for(officer).post(f"/api/v1/warnings/{warning['id']}/incident/")
    finally:
        picture_changed.disconnect(receiver)
    assert response.status_code == 201, response.content
    incident = Incident.objects.get(pk=response.json()["incident"])
    assert seen == [incident.pk]  # plan matching runs on every new incident's picture
    assert incident.category == "natural_disaster" and "暴雨红色预警" in incident.title
    assert (incident.latitude, incident.longitude) == pytest.approx((28.24, 112.925))
    report = incident.reports.get()
    assert report.channel == "system" and report.source == "临江市气象台"
    assert CapWarning.objects.get(pk=warning["id"]).incident_id == incident.pk
    again = client_for(officer).post(f"/api/v1/warnings/{warning['id']}/incident/")
    assert again.status_code == 409


def test_the_warnings_menu_item_and_column_read_warnings_in_english(officer, client):
    """The English menu said " warning" (a leading space, lower case) for 预警."""
    client.force_login(officer)
    page = client.get("/warnings/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = page.content.decode()
    assert ">Warnings</a>" in html and " warning<" not in html
    chinese = client.get("/warnings/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert ">预警</a>" in chinese
