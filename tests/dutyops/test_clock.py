"""The suite's clock (tests/README.md, "Time"): a moved clock reaches every process."""

import datetime
import json
import urllib.request

from django.utils import timezone

from dutyops import testclock
from tests.conftest import token_for


def test_offsets_and_instants_name_the_moved_clock():
    real = timezone.now()  # the instant the offsets count from: any will do
    assert testclock.destination("", real) is None
    assert testclock.destination("+365d", real) == real + datetime.timedelta(days=365)
    assert testclock.destination("-90m", real) == real - datetime.timedelta(minutes=90)
    assert testclock.destination("2028-02-29T03:00+08:00", real).isoformat() == "2028-02-29T03:00:00+08:00"


def test_a_server_the_suite_starts_reads_the_same_clock_as_the_tests(servers, officer):
    """Under DUTYOPS_TEST_CLOCK=+365d this proves daphne moved with the suite;
    on the real clock it holds trivially. A report's received_at defaults to
    the server's now."""
    server = servers.daphne()
    request = urllib.request.Request(
        f"{server.url}/api/v1/reports/",
        data=json.dumps({"title": "对时", "category": "social_security", "channel": "phone"}).encode(),
        headers={"Authorization": f"Token {token_for(officer)}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        served = datetime.datetime.fromisoformat(json.loads(response.read())["received_at"])
    assert abs((served - timezone.now()).total_seconds()) < 60
