"""iCal feeds (secret-token URLs, validated with a real parser) and roster exports."""

import csv
import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from icalendar import Calendar
from openpyxl import load_workbook
from rest_framework.test import APIClient

from duty import services

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def roster(department, make_person):
    lead = make_person("duty_leader", full_name="陈带班")
    a = make_person("duty_officer", full_name="张值班", phone="13800000001")
    b = make_person("duty_officer", full_name="李值班")
    base = timezone.localtime(timezone.now(), TZ).replace(hour=8, minute=30, second=0, microsecond=0)
    shifts = [
        services.create_shift(
            duty_room=department,
            starts_at=base + datetime.timedelta(days=i),
            ends_at=base + datetime.timedelta(days=i + 1),
            leader=lead,
            officers=[a] if i % 2 == 0 else [b],
        )
        for i in range(4)
    ]
    return {"shifts": shifts, "lead": lead, "a": a, "b": b}


def test_personal_and_room_ical_feeds_parse(client_for, roster, department):
    a = roster["a"]
    r = client_for(a).post("/api/v1/calendar-feeds/", {"person": a.pk}, format="json")
    assert r.status_code == 201, r.content
    url = r.json()["url"]
    assert "/api/v1/duty/ical/" in url
    path = url.split("testserver", 1)[-1]

    resp = APIClient().get(path)  # no login: the token is the secret
    assert resp.status_code == 200 and resp["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(resp.content)
    events = list(cal.walk("VEVENT"))
    mine = [s for s in roster["shifts"] if a in s.officers.all()]
    assert len(events) == len(mine) == 2
    starts = sorted(e.decoded("dtstart") for e in events)
    assert starts == sorted(s.starts_at for s in mine)
    assert all(department.name in str(e.get("summary")) for e in events)
    assert all("陈带班" in str(e.get("description")) for e in events)
    assert len({str(e.get("uid")) for e in events}) == 2

    room = client_for(a).post("/api/v1/calendar-feeds/", {"duty_room": department.pk}, format="json")
    assert room.status_code == 201
    cal = Calendar.from_ical(APIClient().get(room.json()["url"].split("testserver", 1)[-1]).content)
    assert len(list(cal.walk("VEVENT"))) == 4

    # Revoked feeds stop working; unknown tokens are 404; others' feeds need admin.
    assert client_for(a).delete(f"/api/v1/calendar-feeds/{r.json()['id']}/").status_code == 204
    assert APIClient().get(path).status_code == 404
    assert APIClient().get("/api/v1/duty/ical/not-a-token.ics").status_code == 404
    assert client_for(a).post("/api/v1/calendar-feeds/", {"person": roster["b"].pk}, format="json").status_code == 403
    bad = client_for(a).post("/api/v1/calendar-feeds/", {}, format="json")
    assert bad.status_code == 400


def test_month_roster_csv_and_xlsx(client_for, roster, department):
    month = timezone.localtime(roster["shifts"][0].starts_at, TZ).strftime("%Y-%m")
    client = client_for(roster["a"])
    r = client.get("/api/v1/duty/roster-export/", {"department": department.pk, "month": month})
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["值班室", "日期", "开始", "结束", "带班领导"]
    in_month = [s for s in roster["shifts"] if timezone.localtime(s.starts_at, TZ).strftime("%Y-%m") == month]
    assert len(rows) - 1 == len(in_month)
    assert rows[1][4] == "陈带班" and rows[1][5] == "张值班" and rows[1][6] == "13800000001"

    r = client.get("/api/v1/duty/roster-export/", {"department": department.pk, "month": month, "format": "xlsx"})
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws.max_row == len(in_month) + 1 and ws["E2"].value == "陈带班"

    assert (
        client.get("/api/v1/duty/roster-export/", {"department": department.pk, "month": "2026-13"}).status_code == 400
    )
    assert client.get("/api/v1/duty/roster-export/", {"department": department.pk, "format": "pdf"}).status_code == 400
    assert client.get("/api/v1/duty/roster-export/", {"department": 999999}).status_code == 404


def test_liaison_sees_only_own_department(client_for, roster, department, make_department, make_person):
    other = make_department("水利局")
    liaison = make_person("liaison", dept=other)
    r = client_for(liaison).get("/api/v1/shifts/")
    assert r.status_code == 200 and r.json()["count"] == 0
    assert client_for(liaison).get("/api/v1/duty/roster-export/", {"department": department.pk}).status_code == 403
    r = client_for(liaison).post("/api/v1/calendar-feeds/", {"duty_room": department.pk}, format="json")
    assert r.status_code == 403


def test_a_feeds_token_is_stored_hashed_and_its_url_shown_once(client_for, roster):
    """Issue 16: only the token's SHA-256 is kept; the URL is in the answer that made the feed,
    and never again (lists show its prefix), and that URL keeps working."""
    import hashlib

    from duty.models import CalendarFeed

    a = roster["a"]
    made = client_for(a).post("/api/v1/calendar-feeds/", {"person": a.pk}, format="json").json()
    token = made["url"].rsplit("/", 1)[1].removesuffix(".ics")
    feed = CalendarFeed.objects.get(pk=made["id"])
    assert feed.digest == hashlib.sha256(token.encode()).hexdigest() and made["prefix"] == feed.prefix == token[:6]
    row = CalendarFeed.objects.filter(pk=feed.pk).values().get()
    assert not any(token in str(value) for value in row.values())
    [listed] = client_for(a).get("/api/v1/calendar-feeds/").json()["results"]
    assert listed["id"] == feed.pk and listed["url"] is None and listed["prefix"] == token[:6]
    assert APIClient().get(made["url"].split("testserver", 1)[-1]).status_code == 200
    assert APIClient().get(f"/api/v1/duty/ical/{feed.digest}.ics").status_code == 404  # the digest opens nothing


@pytest.mark.django_db(transaction=True)
def test_the_migration_hashes_existing_feeds_and_their_urls_keep_working(department, make_person):
    """duty 0003 on a database whose feeds still hold their tokens in plain text."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    person = make_person("duty_officer")
    old, new = [("duty", "0002_content_types")], [("duty", "0003_calendar_feed_tokens_hashed")]
    executor = MigrationExecutor(connection)
    executor.migrate(old)
    try:
        OldFeed = executor.loader.project_state(old).apps.get_model("duty", "CalendarFeed")  # noqa: N806
        OldFeed.objects.create(token="old-plain-token-0123456789abcdef", person_id=person.pk, owner_id=person.pk)
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(new)
    from duty.models import CalendarFeed

    feed = CalendarFeed.objects.get()
    assert feed.prefix == "old-pl" and "old-plain" not in feed.digest
    assert "token" not in {
        f.name for f in connection.introspection.get_table_description(connection.cursor(), "duty_calendarfeed")
    }
    assert APIClient().get("/api/v1/duty/ical/old-plain-token-0123456789abcdef.ics").status_code == 200
