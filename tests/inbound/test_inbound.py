"""Systems in: admin-managed sources with keys stored hashed, POST inbound/ with the key
in X-Api-Key, Idempotency-Key per source, and the duplicate check on the way in."""

import datetime

from django.utils import timezone
from rest_framework.test import APIClient

from inbound import keys
from inbound.models import Receipt, Source
from incidents.models import Incident, Report
from realtime.models import Event

EXPLOSION = {
    "category": "accident_disaster",
    "title": "五一广场商铺燃气爆炸",
    "description": "五一广场一商铺发生燃气爆炸，有人员受伤，现场冒烟。",
    "location_text": "芙蓉区五一广场",
    "latitude": 28.1960,
    "longitude": 112.9770,
    "injuries": 3,
}


def test_an_admin_makes_a_source_and_its_key_is_shown_once_and_stored_hashed(
    admin_user, officer, client_for, make_person, water
):
    admin = client_for(admin_user)
    made = admin.post("/api/v1/sources/", {"name": "12345 政务服务热线"}, format="json")
    assert made.status_code == 201, made.content
    key = made.json()["key"]
    assert key.startswith(keys.PREFIX) and len(key) > 40
    source = Source.objects.get(pk=made.json()["id"])
    assert source.key_hash == keys.digest(key) and key not in (source.key_hash, source.key_prefix)
    assert admin.get(f"/api/v1/sources/{source.pk}/").json()["key"] is None
    assert all(row["key"] is None for row in admin.get("/api/v1/sources/").json()["results"])
    assert admin.post("/api/v1/sources/", {"name": "12345 政务服务热线"}, format="json").status_code == 400
    # Nobody but an admin manages the systems allowed in.
    for person in (officer, make_person("duty_leader"), make_person("leader"), make_person("liaison", dept=water)):
        assert client_for(person).get("/api/v1/sources/").status_code == 403
        assert client_for(person).post("/api/v1/sources/", {"name": "x"}, format="json").status_code == 403
    assert Event.objects.filter(type="source.created").count() == 1


def test_a_repeated_idempotency_key_creates_the_report_once(source, system):
    client = system(source.key)
    first = client.post("/api/v1/inbound/", EXPLOSION, format="json", HTTP_IDEMPOTENCY_KEY="call-20261202-001")
    again = client.post("/api/v1/inbound/", EXPLOSION, format="json", HTTP_IDEMPOTENCY_KEY="call-20261202-001")
    assert first.status_code == again.status_code == 201, first.content
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Report.objects.count() == 1 and Receipt.objects.count() == 1
    report = Report.objects.get()
    assert (report.channel, report.source, report.created_by) == ("system", source.name, None)
    assert first.json()["source"] == source.name and first.json()["channel"] == "system"
    incident = report.incident
    assert incident.duty_room.kind == "duty_office"  # lands in the office's one-door register
    line = Event.objects.get(type="report.created").data
    assert line["source"] == source.name and line["actor_name"] == source.name
    # The same key with another body is refused, not answered with the first.
    other = client.post(
        "/api/v1/inbound/", {**EXPLOSION, "injuries": 5}, format="json", HTTP_IDEMPOTENCY_KEY="call-20261202-001"
    )
    assert other.status_code == 422
    assert Report.objects.count() == 1


def test_a_wrong_missing_or_revoked_key_is_refused(source, system, officer, client_for, admin_user):
    before = Report.objects.count()
    assert system("dsk_wrong").post("/api/v1/inbound/", EXPLOSION, format="json").status_code == 401
    assert system("x" * 500).post("/api/v1/inbound/", EXPLOSION, format="json").status_code == 401
    assert APIClient().post("/api/v1/inbound/", EXPLOSION, format="json").status_code == 401
    # A person's token is no system's key.
    assert client_for(officer).post("/api/v1/inbound/", EXPLOSION, format="json").status_code == 401
    refused = system("dsk_wrong").post("/api/v1/inbound/", EXPLOSION, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert refused.status_code == 401
    assert client_for(admin_user).delete(f"/api/v1/sources/{source.pk}/").status_code == 204
    assert system(source.key).post("/api/v1/inbound/", EXPLOSION, format="json").status_code == 401
    assert Report.objects.count() == before
    assert Source.objects.get(pk=source.pk).revoked_at is not None  # kept, with what it sent


def test_the_duplicate_check_flags_a_second_sources_report_of_the_same_event(source, system, department):
    from inbound import services as inbound

    hotline, hotline_key = inbound.create_source(None, name="119 火警接警平台")
    first = system(source.key).post("/api/v1/inbound/", EXPLOSION, format="json")
    assert first.status_code == 201
    second = system(hotline_key).post(
        "/api/v1/inbound/",
        {**EXPLOSION, "title": "五一广场爆炸起火", "description": "群众报警：五一广场商铺燃气罐爆炸，起火冒烟。"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="call-20261202-001",  # the same key as another source's is no replay
    )
    assert second.status_code == 201, second.content
    assert second.json()["possible_duplicates"] == [first.json()["incident"]]
    assert second.json()["incident"] != first.json()["incident"]
    assert Incident.objects.count() == 2
    # A follow-up goes only to an incident this source's own reports are about.
    follow_up = {"kind": "follow_up", "incident": first.json()["incident"], "description": "火已扑灭。", "injuries": 4}
    assert system(hotline_key).post("/api/v1/inbound/", follow_up, format="json").status_code == 403
    added = system(source.key).post("/api/v1/inbound/", follow_up, format="json")
    assert added.status_code == 201 and added.json()["incident"] == first.json()["incident"]
    assert Incident.objects.get(pk=first.json()["incident"]).injuries == 4


def test_bad_input_from_a_system_is_a_400_and_writes_nothing(source, system):
    client = system(source.key)
    before = Report.objects.count()
    later = timezone.now() + datetime.timedelta(days=1)
    for body in ({}, {"category": "nonsense", "title": "x"}, {**EXPLOSION, "received_at": later.isoformat()}):
        assert client.post("/api/v1/inbound/", body, format="json").status_code == 400
    assert Report.objects.count() == before
