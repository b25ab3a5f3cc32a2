"""One time formatter (issue 17, item 9): every page writes an instant as "12月2日 14:33"
through dutyops.times (the `when`/`hm`/`countdown` template filters) or, in the browser,
DutyLive.fmt (static/board/live.js). A guard scans templates/ and static/ for the ways a
page could format a time on its own; exports and documents built in Python are not pages
and are out of its reach. Instants are relative to now, and the clock stands still
while a test formats them (a minute turning over cannot move what it compares)."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from dutyops import times
from tests.conftest import ROOT

# Django date-format characters that write a time of day (or a zone): a/A/f/g/G/h/H/i/s/u/P,
# and the whole-instant ones c/r/U/O/T/e/Z. Y-m-d, Y年n月 and the like stay allowed.
TIME_CHARS = set("aAfgGhHisuPcrUOTeZ")
DATE_FILTER = re.compile(r"""\|\s*date\s*:\s*(["'])(.*?)\1""")
TEMPLATE_TIME = re.compile(r"""\|\s*time\b|\{%\s*now\s""")
JS_FORMATTERS = re.compile(r"toLocaleString|toLocaleTimeString|toLocaleDateString|Intl\.DateTimeFormat")
THE_FORMATTER = ROOT / "static" / "board" / "live.js"


def _sources(kind, suffixes):
    """Files under templates/ or static/, the project's and each app's (plans/static/...)."""
    folders = [ROOT / kind] + sorted(p for p in ROOT.glob(f"*/{kind}") if p.parent.name != ".venv")
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.suffix in suffixes and "vendor" not in path.parts and path.is_file():
                yield path


def offenders():
    found = []
    for path in _sources("templates", {".html", ".txt", ".xml"}):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for match in DATE_FILTER.finditer(line):
                if set(match.group(2)) & TIME_CHARS:
                    found.append(f"{path.relative_to(ROOT)}:{n}: {match.group(0)}")
            if TEMPLATE_TIME.search(line):
                found.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()[:80]}")
    for path in _sources("static", {".js", ".html"}):
        if path == THE_FORMATTER:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if JS_FORMATTERS.search(line):
                found.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()[:80]}")
    return found


def test_no_page_formats_a_time_outside_the_one_formatter():
    assert offenders() == []


def test_the_guard_catches_what_it_is_for(tmp_path):
    """The patterns match the forms the audit found (and not a plain date)."""
    assert DATE_FILTER.search('{{ w.sent|localtime|date:"Y-m-d H:i" }}').group(2) == "Y-m-d H:i"
    assert not set(DATE_FILTER.search("{{ d|date:'Y-m-d' }}").group(2)) & TIME_CHARS
    assert not set(DATE_FILTER.search('{{ d|date:"Y年n月j日" }}').group(2)) & TIME_CHARS
    assert JS_FORMATTERS.search('new Intl.DateTimeFormat("zh-CN", {})')
    assert JS_FORMATTERS.search("d.toLocaleTimeString()")


@pytest.fixture
def still(time_machine):
    time_machine.move_to(timezone.now(), tick=False)


def test_the_formatter_writes_month_day_and_minute(still):
    instant = timezone.localtime(timezone.now()).replace(hour=14, minute=3, second=7, microsecond=0)
    assert times.when(instant) == f"{instant.month}月{instant.day}日 14:03"
    assert times.when(instant, seconds=True) == f"{instant.month}月{instant.day}日 14:03:07"
    assert times.when(None) == ""
    assert times.countdown(datetime.timedelta(minutes=9, seconds=42)) == "剩 9分42秒"
    assert times.countdown(datetime.timedelta(minutes=-3, seconds=-5)) == "超时 3分"


def test_warnings_and_registers_pages_write_times_the_one_way(still, make_person, department):
    from accountability import services as accountability
    from inbound import services as inbound
    from tests.inbound.conftest import cap_document

    officer = make_person("officer")
    leader = make_person("admin")
    sent = timezone.now().replace(microsecond=0) - datetime.timedelta(minutes=10)
    inbound.import_cap(cap_document("yellow-heat-areadesc.xml", sent=sent), actor=officer)
    occurred = timezone.now().replace(microsecond=0) - datetime.timedelta(hours=2)
    accountability.record_staff_error(
        leader, kind="intake", person=officer, description="首报晚于时限", occurred_at=occurred
    )
    accountability.record_finding(leader, kind="late", department=department, finding="续报超时 20 分钟")
    client = Client()
    client.force_login(leader)
    warnings = client.get("/warnings/")
    assert warnings.status_code == 200
    assert times.when(sent) in warnings.content.decode()
    registers = client.get("/accountability/").content.decode()
    assert times.when(occurred) in registers
    for html in (warnings.content.decode(), registers):
        assert not re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", html)  # no "2026-12-02 14:33" beside it
