"""The outbox without a peer: messages go in order per link, a refused one is
marked failed and does not block the next, a link that does not answer keeps
its queue and retries with backoff; links are the administrator's and their
credential is never shown."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chain import outbox
from chain.models import Delivery, Link, Outbox, Recipient
from chain.seed import seed as seed_line
from dutyops.models import Timer
from incidents.seed import seed_reference_data


@pytest.fixture
def link(db):
    seed_reference_data()
    seed_line()
    up = Link.objects.create(name="市总值班室", direction="up", url="http://city.invalid", credential="secret-1")
    Recipient.objects.create(name="市总值班室", kind="duty_office", required=True, link=up)
    return up


@pytest.fixture
def county(officer, client_for, link):
    return client_for(officer)


def send(county, title, kind="first", incident=None):
    if incident is None:
        body = {"kind": "first", "channel": "phone", "title": title, "category": "accident_disaster"}
        incident = county.post("/api/v1/reports/", body, format="json").data["incident"]
    response = county.post(
        f"/api/v1/incidents/{incident}/upward-reports/", {"kind": kind, "unverified_reason": "紧急"}, format="json"
    )
    assert response.status_code == 201, response.data
    return incident, response.data["id"]


def linked(upward_id):
    return Delivery.objects.get(upward_report_id=upward_id, link__isnull=False)


def test_in_order_and_a_refused_message_does_not_block_the_next(county, link, monkeypatch):
    _a, first = send(county, "甲")
    _b, second = send(county, "乙")
    _c, third = send(county, "丙")
    posted = []

    def fake_post(link_, message):
        posted.append(message.payload["incident"]["title"])
        if message.payload["incident"]["title"] == "乙":
            return 400, None, "HTTP 400: bad"
        return 201, {"report": len(posted), "incident": 7}, None

    monkeypatch.setattr(outbox, "post", fake_post)
    assert outbox.pump(link.pk) == 2
    assert posted == ["甲", "乙", "丙"]
    assert [linked(u).state for u in (first, second, third)] == ["delivered", "failed", "delivered"]
    assert linked(first).remote_incident == "7"
    assert "400" in linked(second).last_error


def test_a_link_that_does_not_answer_keeps_its_queue_and_retries_with_backoff(
    county, link, monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.DUTYOPS_CHAIN_RETRY_MAX_SECONDS = 60
    _a, first = send(county, "甲")
    _b, second = send(county, "乙")
    posted = []

    def down(link_, message):
        posted.append(message.pk)
        return None, None, "ConnectionRefusedError: [Errno 111]"

    monkeypatch.setattr(outbox, "post", down)
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        outbox.handle(link.pk, now)  # arms the retry, then pumps after commit
    head = Outbox.objects.order_by("id").first()
    assert posted == [head.pk]  # the second waits behind the first
    assert head.state == "pending" and head.attempts == 1
    retries = Timer.objects.filter(kind="chain.pump", key__contains=":retry:")
    assert [t.due_at for t in retries] == [now + timedelta(seconds=1)]
    assert [outbox.retry_delay(n).total_seconds() for n in (1, 2, 3, 4, 8, 20)] == [1, 2, 4, 8, 60, 60]
    assert {linked(u).state for u in (first, second)} == {"queued"}
    Link.objects.filter(pk=link.pk).update(pump_until=None)

    monkeypatch.setattr(outbox, "post", lambda link_, message: (201, {}, None))
    assert outbox.pump(link.pk) == 2
    assert {linked(u).state for u in (first, second)} == {"delivered"}


def test_one_pump_per_link_at_a_time(county, link, monkeypatch):
    send(county, "甲")
    Link.objects.filter(pk=link.pk).update(pump_until=timezone.now() + timedelta(seconds=30))
    monkeypatch.setattr(outbox, "post", lambda *a: pytest.fail("posted while another pump holds the link"))
    assert outbox.pump(link.pk) == 0


def test_links_are_the_administrators_and_the_credential_is_never_shown(
    make_person, client_for, officer, link, department
):
    admin = client_for(make_person("admin"))
    created = admin.post(
        "/api/v1/links/",
        {
            "name": "市总值班室2",
            "url": "http://10.0.0.2:8000",
            "credential": "tok-abc",
            "categories": ["public_health"],
        },
        format="json",
    )
    assert created.status_code == 201, created.data
    assert "credential" not in created.data and created.data["direction"] == "up"
    assert Link.objects.get(pk=created.data["id"]).credential == "tok-abc"
    assert "tok-abc" not in str(admin.get("/api/v1/links/").data)
    bad = admin.post("/api/v1/links/", {"name": "x", "url": "http://x", "categories": ["nope"]}, format="json")
    assert bad.status_code == 400
    for person in (officer, make_person("duty_leader"), make_person("liaison")):
        assert client_for(person).get("/api/v1/links/").status_code == 403
        assert (
            client_for(person).post("/api/v1/links/", {"name": "y", "url": "http://y"}, format="json").status_code
            == 403
        )
    assert admin.delete(f"/api/v1/links/{created.data['id']}/").status_code == 204
    assert Link.objects.get(pk=created.data["id"]).active is False  # kept: its deliveries refer to it


def test_a_category_the_link_does_not_carry_is_refused(county, link):
    link.categories = ["public_health"]
    link.save()
    body = {"kind": "first", "channel": "phone", "title": "火灾", "category": "accident_disaster"}
    incident = county.post("/api/v1/reports/", body, format="json").data["incident"]
    line = {r["name"]: r["id"] for r in county.get("/api/v1/reporting-line/?category=accident_disaster").data}
    assert "市总值班室" not in line  # not on this category's line (tests/chain/test_line.py)
    city = Recipient.objects.get(name="市总值班室")
    response = county.post(
        f"/api/v1/incidents/{incident}/upward-reports/",
        {"kind": "first", "unverified_reason": "紧急", "recipients": [*line.values(), city.pk]},
        format="json",
    )
    assert response.status_code == 400 and "市总值班室" in str(response.data["recipients"])
