"""The board's snapshot, pages, kiosk login and landing pages (no browser)."""

import datetime
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alerts import services as alert_services
from alerts.models import Alert
from incidents.models import Incident
from tests.conftest import token_for

pytestmark = pytest.mark.django_db


def intake(client, title, **extra):
    body = {"title": title, "category": "accident_disaster", "channel": "phone", **extra}
    response = client.post("/api/v1/reports/", body, format="json")
    assert response.status_code == 201, response.content
    return Incident.objects.get(pk=response.json()["incident"])


def browser_for(person):
    client = Client()
    client.force_login(person)
    return client


def snapshot_queries(client):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/api/v1/board/snapshot/")
    assert response.status_code == 200
    return len(ctx.captured_queries), response.json()


def test_snapshot_shows_active_incidents_and_unsigned_alerts(officer, client_for, make_department, make_person):
    client = client_for(officer)
    water = make_department("市水利局")
    incident = intake(client, "湘江水位超警戒", grade="II", latitude=28.2, longitude=112.96, location_text="橘子洲")
    closed = intake(client, "已处理完毕的小事")
    client.post(f"/api/v1/incidents/{closed.pk}/transition/", {"to": "closed"}, format="json")
    alert = alert_services.dispatch_alert(incident=incident, department=water, duty="加强巡堤", actor=officer)

    _, snap = snapshot_queries(client)
    titles = [i["title"] for i in snap["incidents"]]
    assert "湘江水位超警戒" in titles and "已处理完毕的小事" not in titles
    row = next(i for i in snap["incidents"] if i["id"] == incident.pk)
    assert row["grade"] == "II" and row["latitude"] == 28.2 and row["reported_at"].endswith("+08:00")
    assert [a["department_name"] for a in snap["alerts"]] == ["市水利局"]
    assert snap["figures"]["by_category"]["accident_disaster"] == 2
    assert snap["figures"]["alerts"] == 1 and snap["figures"]["signed"] == 0
    assert any("湘江水位超警戒" in e["data"].get("summary", "") for e in snap["events"])
    assert snap["seq"] >= snap["events"][-1]["seq"]

    liaison = make_person("liaison", dept=water)
    alert_services.acknowledge(alert.pk, liaison)
    _, snap = snapshot_queries(client)
    assert snap["alerts"] == [] and snap["figures"]["signed"] == 1 and snap["figures"]["signed_on_time"] == 1


def test_an_overdue_unsigned_alert_counts_against_the_on_time_rate_at_once(
    officer, client_for, make_department, make_person
):
    """The board showed 按时签收率 100% while a sign-for deadline had passed (issue 17):
    an alert unsigned past its deadline is late now, not when someone signs for it."""
    client = client_for(officer)
    incident = intake(client, "湘江水位超警戒")
    on_time = alert_services.dispatch_alert(
        incident=incident, department=make_department("市水利局"), duty="巡堤", actor=officer
    )
    late = alert_services.dispatch_alert(
        incident=incident, department=make_department("市消防救援支队"), duty="待命", actor=officer
    )
    liaison = make_person("liaison", dept=on_time.department)
    alert_services.acknowledge(on_time.pk, liaison)
    _, snap = snapshot_queries(client)
    assert snap["figures"]["overdue_unsigned"] == 0 and len(snap["figures"]["pending"]) == 1
    Alert.objects.filter(pk=late.pk).update(ack_due_at=timezone.now() - datetime.timedelta(minutes=3))
    _, snap = snapshot_queries(client)
    f = snap["figures"]
    assert (f["signed"], f["signed_on_time"], f["overdue_unsigned"]) == (1, 1, 1)  # the board: 1/2 按时 = 50%
    assert f["pending"][0][0] == late.pk


def test_snapshot_query_count_is_constant(officer, client_for, make_department, settings):
    # The caller's token stays cached throughout (it is kept 2 s at most otherwise,
    # DUTYOPS_REVOCATION_SECONDS: on a slow run its reload would be counted).
    settings.DUTYOPS_CACHE_SECONDS = settings.DUTYOPS_REVOCATION_SECONDS = 600
    client = client_for(officer)
    dept = make_department("市消防救援支队")
    first = intake(client, "事件一")
    alert_services.dispatch_alert(incident=first, department=dept, duty="出动", actor=officer)
    few, _ = snapshot_queries(client)
    for n in range(15):
        inc = intake(client, f"批量事件{n}", grade="IV")
        alert_services.dispatch_alert(incident=inc, department=dept, duty="核实", actor=officer)
    many, snap = snapshot_queries(client)
    assert len(snap["incidents"]) == 16 and len(snap["alerts"]) == 16
    assert many == few, f"{few} queries with 1 incident, {many} with 16"


def test_snapshot_and_board_are_for_staff_only(make_person, make_department):
    dept = make_department("市卫生健康委员会")
    liaison = make_person("liaison", dept=dept)
    client = browser_for(liaison)
    assert client.get("/api/v1/board/snapshot/").status_code == 403
    response = client.get("/board/")
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/", follow=False)["Location"] == "/alerts/console/"
    assert Client().get("/board/")["Location"].startswith("/login/")


@pytest.mark.parametrize(
    "roles, place",
    [
        (("duty_officer",), "/console/"),
        (("leader",), "/board/leader/"),
        (("duty_leader",), "/board/leader/"),
        (("board",), "/board/"),
    ],
)
def test_home_sends_each_role_to_its_place(make_person, roles, place):
    response = browser_for(make_person(*roles)).get("/")
    assert response.status_code == 302 and response["Location"] == place


def test_admin_gets_the_launcher(admin_user):
    response = browser_for(admin_user).get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "指挥大屏" in html and "值班台" in html


def test_kiosk_token_logs_the_wall_screen_in(db, capsys, officer):
    call_command("board_token", "--base-url", "http://wall")
    url = capsys.readouterr().out.strip()
    assert url.startswith("http://wall/board/?token=")
    token = url.split("token=")[1]
    screen = Client()
    response = screen.get(f"/board/?token={token}&rotate=30")
    assert response.status_code == 302 and response["Location"] == "/board/?rotate=30"
    page = screen.get(response["Location"])
    assert page.status_code == 200
    assert 'data-rotate="30"' in page.content.decode()
    assert screen.get("/api/v1/board/snapshot/").status_code == 200
    # Read only: the board account may not take in a report.
    assert screen.post("/api/v1/reports/", {"title": "x", "category": "public_health"}).status_code == 403
    # A wrong or a non-board token logs nobody in.
    officer_token = token_for(officer)
    for key in ("nonsense", officer_token):
        response = Client().get(f"/board/?token={key}")
        assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize("path", ["/board/", "/board/leader/", "/console/"])
def test_pages_have_no_inline_script(admin_user, path):
    html = browser_for(admin_user).get(path).content.decode()
    assert "临江" in html or "值班" in html
    for attrs, _body in re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S):
        assert "src=" in attrs or 'type="application/json"' in attrs, attrs
    assert re.search(r"\son[a-z]+=", html) is None  # no inline event handlers
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html  # no CDN


def test_console_shows_the_shift_links(admin_user):
    html = browser_for(admin_user).get("/console/").content.decode()
    assert 'id="intake"' in html and "接报登记" in html and "时限临近" in html


def test_console_check_in_is_a_post_for_the_people_on_the_shift(department, make_person):
    import datetime as dt

    from django.utils import timezone

    from duty import services as duty_services
    from duty.models import CheckIn

    on, off = make_person("duty_officer"), make_person("duty_officer")
    now = timezone.now()
    shift = duty_services.create_shift(
        duty_room=department,
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=23),
        leader=make_person("duty_leader"),
        officers=[on, make_person("duty_officer")],
    )
    url = f"/duty/shifts/{shift.pk}/check-in/"
    assert f'<form method="post" action="{url}">' in browser_for(on).get("/console/").content.decode()
    assert url not in browser_for(off).get("/console/").content.decode()
    browser_for(on).post(url)
    assert CheckIn.objects.filter(shift=shift, person=on).exists()


def test_the_demo_prints_a_kiosk_link_that_opens_the_board(db):
    import io

    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    link = re.search(r"http://\S+(/board/\?token=\w+)", out.getvalue())
    assert link, out.getvalue()[-300:]
    response = Client().get(link.group(1), follow=True)
    assert response.status_code == 200 and response.wsgi_request.user.username == "wallboard"
