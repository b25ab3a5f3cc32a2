"""Incident statistics by period: counts by category, subtype, grade and district, drills
and merged incidents never counted; the API, the page with charts and the export, and
who sees what."""

import csv
import io
from datetime import date, datetime, time, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from incidents import statistics
from incidents.models import Incident, Subtype

# A month in the past, pinned: nothing here depends on today's date.
MARCH = date(2025, 3, 1)


def at(day, hour=10):
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


def make(day, category="natural_disaster", subtype="flood", grade="IV", district="岳麓区", **extra):
    return Incident.objects.create(
        title=f"{subtype or '未定'}事件",
        category=category,
        subtype=subtype,
        grade=grade,
        district=district,
        reported_at=at(day),
        **extra,
    )


@pytest.fixture
def march(taxonomy, department, time_machine):
    """March 2025's incidents (and one each side), seen from May 2025: the clock stands
    there, so "this month" and the data's dates read the same on any test date."""
    time_machine.move_to(datetime(2025, 5, 10, 10, 0, tzinfo=timezone.get_current_timezone()))
    make(MARCH)
    make(MARCH + timedelta(days=3), subtype="geological", grade="III", district="开福区")
    make(MARCH + timedelta(days=30, hours=0), category="accident_disaster", subtype="fire", grade=None, district="")
    make(MARCH + timedelta(days=10), subtype="", grade=None)
    make(MARCH + timedelta(days=5), is_drill=True)  # a drill: never counted
    make(MARCH + timedelta(days=6), status="merged")  # folded into another: counted there
    make(MARCH - timedelta(days=1))  # February
    make(date(2025, 4, 1))  # April


def stats(client, **params):
    response = client.get("/api/v1/statistics/incidents/", params)
    assert response.status_code == 200, response.content
    return response.json()


def row(rows, key):
    return next(r for r in rows if r["key"] == key)


def test_a_month_by_category_subtype_grade_and_district_without_drills(march, officer, client_for):
    data = stats(client_for(officer), period="month", date="2025-03-15")
    assert (data["label"], data["total"]) == ("2025-03", 4)
    assert data["from"].startswith("2025-03-01T00:00:00+08:00") and data["to"].startswith("2025-04-01")
    assert row(data["by_category"], "natural_disaster")["count"] == 3
    assert row(data["by_category"], "accident_disaster")["count"] == 1
    assert row(data["by_category"], "social_security")["count"] == 0
    assert row(data["by_subtype"], "flood") == {"key": "flood", "label": "水旱灾害（洪涝）", "count": 1}
    assert row(data["by_subtype"], "")["label"] == "未确定"
    assert [(r["key"], r["count"]) for r in data["by_grade"]] == [("I", 0), ("II", 0), ("III", 1), ("IV", 1), ("", 2)]
    assert row(data["by_district"], "岳麓区")["count"] == 2 and row(data["by_district"], "")["label"] == "未定位"
    assert len(data["series"]) == 31 and sum(r["count"] for r in data["series"]) == 4
    assert row(data["series"], "2025-03-04")["count"] == 1


def test_week_quarter_and_year(march, officer, client_for):
    client = client_for(officer)
    week = stats(client, period="week", date="2025-03-05")  # Mon 3 Mar - Sun 9 Mar
    assert (week["label"], week["total"], len(week["series"])) == ("2025-W10", 1, 7)
    quarter = stats(client, period="quarter", date="2025-02-10")
    assert (quarter["label"], quarter["total"]) == ("2025-Q1", 5)
    assert [r["label"] for r in quarter["series"]] == ["1月", "2月", "3月"]
    year = stats(client, period="year", date="2025-12-31")
    assert (year["label"], year["total"], len(year["series"])) == ("2025", 6, 12)


def test_the_default_is_this_month(taxonomy, officer, client_for):
    make(timezone.localdate())
    data = stats(client_for(officer))
    assert data["label"] == timezone.localdate().strftime("%Y-%m") and data["total"] == 1


@pytest.mark.parametrize(
    "params,field", [({"period": "day"}, "period"), ({"date": "2025-13-01"}, "date"), ({"date": "yesterday"}, "date")]
)
def test_a_bad_period_or_date_is_400(officer, client_for, params, field):
    response = client_for(officer).get("/api/v1/statistics/incidents/", params)
    assert response.status_code == 400 and field in response.json()


def test_a_liaison_counts_only_its_own_departments_incidents(march, client_for, make_person, make_department):
    water = make_department("市水利局")
    make(MARCH + timedelta(days=2), duty_room=water)
    liaison = client_for(make_person("liaison", dept=water))
    assert stats(liaison, period="month", date="2025-03-01")["total"] == 1
    assert (
        client_for(make_person("leader"))
        .get("/api/v1/statistics/incidents/", {"period": "month", "date": "2025-03-01"})
        .json()["total"]
        == 5
    )
    assert Client().get("/api/v1/statistics/incidents/").status_code in (401, 403)


def test_the_export_never_writes_a_formula(march, officer, client_for):
    Subtype.objects.filter(code="flood").update(name='=HYPERLINK("http://x")')
    make(MARCH + timedelta(days=1), district="@SUM(A1)")
    make(MARCH + timedelta(days=1), district="\tTAB")
    client = client_for(officer)
    response = client.get("/api/v1/statistics/incidents/export/", {"period": "month", "date": "2025-03-01"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["维度", "项目", "事件数"]
    cells = {r[1]: r[2] for r in rows[1:]}
    assert cells['\'=HYPERLINK("http://x")'] == "3"
    assert "'@SUM(A1)" in cells and "'\tTAB" in cells
    assert not any(c.startswith(statistics.FORMULA_START) for r in rows for c in r)

    xlsx = client.get("/api/v1/statistics/incidents/export/", {"period": "month", "date": "2025-03-01", "kind": "xlsx"})
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["分类", "事件类型", "等级", "区县", "时间"]
    values = [c.value for ws in book for r in ws.iter_rows() for c in r]
    assert "'@SUM(A1)" in values
    assert not any(isinstance(v, str) and v.startswith(statistics.FORMULA_START) for v in values)
    assert client.get("/api/v1/statistics/incidents/export/", {"kind": "pdf"}).status_code == 400


def test_the_page_draws_its_charts_itself(march, make_person):
    browser = Client()
    browser.force_login(make_person("leader"))
    response = browser.get("/incidents/statistics/", {"period": "month", "date": "2025-03-09"})
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("<svg") >= 5 and "2025-03" in page and "水旱灾害（洪涝）" in page
    assert 'src="http' not in page and "cdn" not in page.lower()
    assert "period=month&amp;date=2025-02-01" in page and "period=month&amp;date=2025-04-01" in page
    bad = browser.get("/incidents/statistics/", {"period": "fortnight"})
    assert bad.status_code == 200 and "已显示本月" in bad.content.decode()


@given(day=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)), kind=st.sampled_from(statistics.PERIODS))
def test_every_day_lies_in_exactly_one_period_of_each_kind(day, kind):
    p = statistics.period(kind, day)
    assert p.first <= day < p.after
    assert p.next().first == p.after and p.previous().after == p.first
    assert statistics.period(kind, p.after - timedelta(days=1)) == p
