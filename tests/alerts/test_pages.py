"""Pages: the department console, the office list, figures and the supervision ledger render for their users."""

import json

import pytest

from alerts import services
from incidents.models import Incident


@pytest.fixture
def setup(make_person, make_department, department, client):
    water = make_department("水利局", parent=department)
    incident = Incident.objects.create(title="临江河水位超警戒", category="natural_disaster")
    alert = services.dispatch_alert(incident=incident, department=water, duty="加强巡堤查险", actor=None)
    liaison = make_person("liaison", dept=water)
    return water, incident, alert, liaison


def test_console_shows_the_liaisons_open_alerts(setup, client):
    water, incident, alert, liaison = setup
    client.force_login(liaison)
    page = client.get("/alerts/console/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "待办通知" in html and "水利局" in html
    data = json.loads(html.split('id="alerts-data" type="application/json">')[1].split("</script>")[0])
    assert [(a["id"], a["duty"]) for a in data] == [(alert.pk, "加强巡堤查险")]
    assert 'src="/static/alerts/console.js"' in html and "//cdn" not in html


def test_pages_need_login_and_the_office_page_is_for_staff(setup, client, officer):
    *_, liaison = setup
    assert client.get("/alerts/console/").status_code == 302
    client.force_login(liaison)
    assert client.get("/alerts/").status_code == 403
    client.force_login(officer)
    for url in ("/alerts/", "/alerts/performance/", "/alerts/supervision/", "/alerts/console/"):
        assert client.get(url).status_code == 200, url


def test_performance_page_draws_a_chart_and_survives_a_bad_month(setup, client, officer):
    client.force_login(officer)
    html = client.get("/alerts/performance/").content.decode()
    assert "<svg" in html and "水利局" in html and "export/?kind=xlsx" in html
    bad = client.get("/alerts/performance/?month=2026-13")
    assert bad.status_code == 200 and "期间格式无效" in bad.content.decode()


def test_supervision_ledger_reads_its_steps_in_chinese(setup, client, officer):
    import datetime as dt

    from django.utils import timezone

    water, incident, *_ = setup
    services.open_case(
        title="排查临江河堤防隐患",
        content="三日内完成排查",
        deadline=timezone.now() + dt.timedelta(days=3),
        actor=officer,
        incident=incident,
        departments=[water],
    )
    client.force_login(officer)
    html = client.get("/alerts/supervision/").content.decode()
    assert "登记" in html and "交办" in html
    assert " registered " not in html and " assigned " not in html


def test_the_ledger_offers_each_user_only_the_steps_they_may_take(setup, client, officer, make_person):
    import datetime as dt
    import re

    from django.utils import timezone

    water, incident, _alert, liaison = setup
    deadline = timezone.now() + dt.timedelta(days=3)
    registered = services.open_case(title="排查隐患", content="排查", deadline=deadline, actor=officer)
    assigned = services.open_case(
        title="转移群众", content="转移", deadline=deadline, actor=officer, departments=[water]
    )
    board = make_person("board")

    def steps(user):
        """{case id: the step forms on its row}"""
        client.force_login(user)
        html = client.get("/alerts/supervision/").content.decode()
        rows = re.findall(r'<tr data-id="(\d+)"(.*?)</tr>', html, re.S)
        return {int(pk): sorted(re.findall(r'data-step="(\w+)"', body)) for pk, body in rows}

    assert steps(officer) == {registered.pk: ["assign"], assigned.pk: ["assign", "complete", "progress"]}
    assert steps(liaison) == {assigned.pk: ["complete", "progress"]}  # its own department's case only
    assert steps(board) == {registered.pk: [], assigned.pk: []}  # the wall board watches, it does not act
