"""Spreadsheet exports never carry a live formula (issue 16, item 6).

Text that anyone may type (a department's name, a person's name, a duty log
entry, an incident's district) is written into every CSV and XLSX export with
a leading apostrophe when it begins with = + - @ tab or CR. One parametrised
test per export URL: each export must hold the planted text (so the test
cannot pass by leaving it out) and no cell may begin like a formula.
"""

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from alerts import services as alert_services
from duty import services as duty_services
from dutyops.exports import FORMULA_STARTS, neutralise
from incidents.models import Incident

TZ = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 10, 15, 10, 0, tzinfo=TZ)

ROOM = "+值班室"  # the duty room's name: roster, daily report, performance
OFFICER = '=HYPERLINK("http://x","值班员")'  # a person's name: roster, daily report
LOG = "-2+3 来电"  # a duty log entry: daily report
DISTRICT = "@SUM(A1)"  # an incident's district: statistics
DEPT = "\t水利局"  # a department's name: performance


@pytest.fixture
def planted(time_machine, department, make_department, make_person):
    time_machine.move_to(NOW, tick=False)
    department.name = ROOM
    department.save(update_fields=["name"])
    water = make_department("水利局", parent=department)
    water.name = DEPT
    water.save(update_fields=["name"])
    officer = make_person("duty_officer", full_name=OFFICER)
    shift = duty_services.create_shift(
        duty_room=department,
        starts_at=NOW - dt.timedelta(hours=2),
        ends_at=NOW + dt.timedelta(hours=22),
        officers=[officer],
    )
    duty_services.add_log_entry(shift, officer, text=LOG, kind="call", caller="=cmd|' /C calc'!A0")
    incident = Incident.objects.create(
        title="临江河水位超警戒",
        category="natural_disaster",
        district=DISTRICT,
        reported_at=NOW - dt.timedelta(hours=1),
    )
    alert_services.dispatch_alert(incident=incident, department=water, duty="加强巡堤查险", actor=None)
    return {"room": department, "officer": officer}


EXPORTS = [
    ("roster-csv", "/api/v1/duty/roster-export/", {"month": "2026-10", "format": "csv"}, [ROOM, OFFICER]),
    ("roster-xlsx", "/api/v1/duty/roster-export/", {"month": "2026-10", "format": "xlsx"}, [ROOM, OFFICER]),
    ("daily-report-xlsx", "/api/v1/duty/daily-report/", {"date": "2026-10-15", "format": "xlsx"}, [LOG, OFFICER]),
    (
        "statistics-csv",
        "/api/v1/statistics/incidents/export/",
        {"period": "month", "date": "2026-10-01", "kind": "csv"},
        [DISTRICT],
    ),
    (
        "statistics-xlsx",
        "/api/v1/statistics/incidents/export/",
        {"period": "month", "date": "2026-10-01", "kind": "xlsx"},
        [DISTRICT],
    ),
    ("performance-csv", "/api/v1/performance/export/", {"month": "2026-10", "kind": "csv"}, [DEPT]),
    ("performance-xlsx", "/api/v1/performance/export/", {"month": "2026-10", "kind": "xlsx"}, [DEPT]),
]


def cells(response):
    """Every cell of the file as text (None for an empty XLSX cell)."""
    if response["Content-Type"].startswith("text/csv"):
        return [c for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig"))) for c in row]
    book = load_workbook(io.BytesIO(response.content))
    out = []
    for ws in book:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"a live formula in {ws.title}!{cell.coordinate}: {cell.value}"
                out.append(cell.value)
    return out


@pytest.mark.parametrize(("name", "url", "params", "planted_texts"), EXPORTS, ids=[e[0] for e in EXPORTS])
def test_no_export_writes_a_formula(planted, client_for, make_person, name, url, params, planted_texts):
    office = make_person("duty_officer")  # the office reads every export
    query = dict(params)
    if url.startswith("/api/v1/duty/"):
        query["department"] = planted["room"].pk
    response = client_for(office).get(url, query)
    assert response.status_code == 200, response.content[:300]
    values = cells(response)
    texts = [v for v in values if isinstance(v, str)]
    for text in planted_texts:
        # The planted text is there, neutralised (a cell of its own, or the first of "、"-joined names).
        assert any(v.startswith("'" + text) for v in texts), (text, texts[:40])
    live = [v for v in texts if v.startswith(FORMULA_STARTS)]
    assert live == [], live


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+2*3", "'=1+2*3"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@A1", "'@A1"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("值班", "值班"),
        ("a=b", "a=b"),
        ("", ""),
        (-1, -1),
        (3.5, 3.5),
        (None, None),
    ],
)
def test_the_one_helper(value, expected):
    assert neutralise(value) == expected


def test_every_spreadsheet_export_goes_through_the_helper():
    """No module writes CSV or XLSX around dutyops/exports.py (the one place that neutralises)."""
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[2]
    offenders = []
    for path in root.glob("*/**/*.py"):
        rel = path.relative_to(root).as_posix()
        if rel.startswith((".venv/", "tests/", "bench/", "scripts/")) or rel == "dutyops/exports.py":
            continue
        text = path.read_text(encoding="utf-8")
        if "from openpyxl" in text or "import openpyxl" in text or "csv.writer" in text or "csv.DictWriter" in text:
            offenders.append(rel)
    # incidents/evaluation.py writes the evaluation's own data file (tests/data), never a download.
    assert offenders == ["incidents/evaluation.py"], offenders
