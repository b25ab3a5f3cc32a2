"""Performance figures (考核) on a seeded month: per department, drills excluded; API, export."""

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from alerts import services
from alerts.models import Alert, SupervisionCase
from incidents.models import Incident

TZ = ZoneInfo("Asia/Shanghai")


def at(month, day, hour, minute=0):
    return dt.datetime(2026, month, day, hour, minute, tzinfo=TZ)


@pytest.fixture(autouse=True)
def _clock(time_machine):
    """The seeded figures are for October 2026: the clock stands still in mid-November
    2026, so what was late, on time or still open reads the same on any test date."""
    time_machine.move_to(at(11, 15, 10), tick=False)


def seeded_alert(incident, dept, created, ack_after=None, fb_after=None, overdue=False, ack_limit=30, fb_limit=240):
    alert = services.dispatch_alert(incident=incident, department=dept, duty="任务", actor=None)
    Alert.objects.filter(pk=alert.pk).update(
        created_at=created,
        ack_due_at=created + dt.timedelta(minutes=ack_limit),
        feedback_due_at=created + dt.timedelta(minutes=fb_limit),
        first_feedback_due_at=created + dt.timedelta(minutes=fb_limit),
        acknowledged_at=created + dt.timedelta(minutes=ack_after) if ack_after is not None else None,
        first_feedback_at=created + dt.timedelta(minutes=fb_after) if fb_after is not None else None,
        overdue_at=created + dt.timedelta(minutes=ack_limit) if overdue else None,
    )
    return alert


def seeded_case(incident, dept, deadline, completed_after=None):
    case = SupervisionCase.objects.create(
        title="督办", content="c", deadline=deadline, created_at=deadline - dt.timedelta(days=3), incident=incident
    )
    case.departments.add(dept)
    if completed_after is not None:
        case.completed_at = deadline + dt.timedelta(hours=completed_after)
        case.state = "completed"
        case.save()
    return case


@pytest.fixture
def month(make_department, department):
    water = make_department("水利局", parent=department)
    fire = make_department("消防救援支队", parent=department)
    real = Incident.objects.create(title="临江河水位超警戒", category="natural_disaster")
    drill = Incident.objects.create(title="防汛演练", category="natural_disaster", is_drill=True)
    seeded_alert(real, water, at(10, 1, 0, 0), ack_after=10, fb_after=120)  # first instant of the month
    seeded_alert(real, water, at(10, 10, 9), ack_after=40, fb_after=360, overdue=True)
    seeded_alert(real, water, at(10, 20, 8), ack_after=20, overdue=True)
    seeded_alert(real, water, at(10, 31, 23, 30), overdue=True)  # never signed
    seeded_alert(drill, water, at(10, 15, 9), ack_after=90, overdue=True)  # a drill: not counted
    seeded_alert(real, water, at(9, 30, 23, 59))  # September
    seeded_alert(real, water, at(11, 1, 0, 0))  # November
    seeded_alert(real, fire, at(10, 3, 14), ack_after=5, fb_after=60)
    seeded_case(real, water, at(10, 12, 18), completed_after=-5)
    seeded_case(real, water, at(10, 22, 18), completed_after=+5)
    seeded_case(None, water, at(10, 25, 18))
    seeded_case(drill, water, at(10, 26, 18))  # a drill's case: not counted
    return water, fire


def test_figures_for_a_seeded_month(month, officer, client_for):
    water, fire = month
    body = client_for(officer).get("/api/v1/performance/?month=2026-10").json()
    rows = {r["department"]: r for r in body["departments"]}
    assert rows[water.pk] == {
        "department": water.pk,
        "department_name": "水利局",
        "alerts_received": 4,
        "signed": 3,
        "signed_on_time_pct": 50.0,
        "median_minutes_to_sign": 20.0,
        "fed_back_on_time_pct": 25.0,
        "overdue_count": 3,
        "supervision_cases": 3,
        "supervision_completion_pct": 33.3,
    }
    assert rows[fire.pk]["signed_on_time_pct"] == 100.0 and rows[fire.pk]["median_minutes_to_sign"] == 5.0
    assert rows[fire.pk]["supervision_completion_pct"] is None
    assert body["period"] == "2026-10" and body["from"].startswith("2026-10-01T00:00:00+08:00")


def test_a_date_range_and_a_liaisons_own_row(month, make_person, client_for):
    water, fire = month
    liaison = make_person("liaison", dept=fire)
    body = client_for(liaison).get("/api/v1/performance/?from=2026-10-01&to=2026-10-09").json()
    assert [r["department"] for r in body["departments"]] == [fire.pk]
    assert body["duty_room"] is None


def test_export_csv_and_xlsx(month, officer, client_for):
    client = client_for(officer)
    response = client.get("/api/v1/performance/export/?kind=csv&month=2026-10")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="performance-2026-10.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["单位", "收到通知（件）", "按时签收率（%）"]
    assert ["水利局", "4", "50.0", "20.0", "25.0", "3", "3", "33.3"] in rows
    response = client.get("/api/v1/performance/export/?kind=xlsx&month=2026-10", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == "单位" and ["水利局", 4, 50.0, 20.0, 25.0, 3, 3, 33.3] in values
    assert client.get("/api/v1/performance/export/?kind=pdf").status_code == 400


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    key=st.sampled_from(["month", "from", "to"]),
    value=st.text(alphabet="0123456789-:T+ abcZ", max_size=14),
)
def test_any_period_query_is_answered_never_a_500(officer, client_for, key, value):
    response = client_for(officer).get("/api/v1/performance/", {key: value})
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert set(response.json()) <= {"month", "from", "to"}


@pytest.mark.parametrize(
    "query", ["month=9999-12", "month=0000-01", "month=2026-1-1", "from=9999-12-31&to=9999-12-31", "from=2026-10-05"]
)
def test_edge_periods_are_400(officer, client_for, query):
    assert client_for(officer).get(f"/api/v1/performance/?{query}").status_code == 400


def test_duty_room_time_to_answer_and_on_time_upward_reporting(db, officer, client_for):
    from incidents.models import IncidentClock, Report

    real = Incident.objects.create(title="火灾", category="accident_disaster")
    drill = Incident.objects.create(title="演练", category="accident_disaster", is_drill=True)
    for incident, received, waited in ((real, at(10, 2, 9), 10), (real, at(10, 3, 9), 30), (drill, at(10, 4, 9), 600)):
        Report.objects.create(
            incident=incident,
            received_at=received,
            answered_at=received + dt.timedelta(seconds=waited),
            is_drill=incident.is_drill,
        )
    IncidentClock.objects.create(incident=real, kind="phone", due_at=at(10, 2, 10), satisfied_at=at(10, 2, 9, 20))
    IncidentClock.objects.create(incident=real, kind="written", due_at=at(10, 2, 11), satisfied_at=at(10, 2, 12))
    IncidentClock.objects.create(incident=drill, kind="phone", due_at=at(10, 4, 10))
    duty_room = client_for(officer).get("/api/v1/performance/?month=2026-10").json()["duty_room"]
    assert duty_room == {
        "reports": 2,
        "median_seconds_to_answer": 20.0,
        "upward_clocks": 2,
        "upward_on_time_pct": 50.0,
    }


def test_alerts_still_within_their_deadline_count_neither_on_time_nor_late(make_department, department):
    from alerts.selectors import performance

    water = make_department("水利局", parent=department)
    real = Incident.objects.create(title="临江河水位超警戒", category="natural_disaster")
    now = at(11, 23, 21, 0)
    seeded_alert(real, water, now - dt.timedelta(minutes=20), ack_after=1, fb_after=5)  # answered on time
    seeded_alert(real, water, now - dt.timedelta(minutes=10))  # not yet due: 20 minutes left
    seeded_alert(real, water, now - dt.timedelta(hours=6))  # never signed, long past both deadlines
    (row,) = performance(at(11, 1, 0), at(12, 1, 0), now=now)
    assert row["alerts_received"] == 3
    assert row["signed_on_time_pct"] == 50.0  # 1 of the 2 whose sign-for deadline has passed or was met
    assert row["fed_back_on_time_pct"] == 50.0
