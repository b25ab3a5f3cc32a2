"""docs/integrations.md: every example in it runs against a live server (issue 20).

The shell and Python blocks are taken from the markdown as they are (each is
marked `<!-- example: name -->`), written to files and run, as an integrator
would, against a daphne on the demo jurisdiction; each test then checks what
the example did to DutyOps. A block the suite does not run is an error here,
so the page cannot drift from the code.
"""

import datetime
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from dutyops.seed import DEMO_PASSWORD
from tests.conftest import IN_CI, ROOT, token_for

DOC = ROOT / "docs" / "integrations.md"
EXAMPLES = {
    "token",
    "hotline-curl",
    "hotline-python",
    "department",
    "listener",
    "export",
    "client-generate",
    "client-use",
}
RUNNABLE = {"sh": "sh", "bash": "sh", "python": "python"}


def blocks():
    """{name: (language, code)} of the marked examples; fails on an unmarked runnable block."""
    found, text = {}, DOC.read_text(encoding="utf-8")
    for match in re.finditer(r"(?:<!-- example: ([\w-]+) -->\n)?```(\w*)\n(.*?)\n```", text, re.S):
        name, language, code = match.groups()
        if language in RUNNABLE:
            assert name, f"docs/integrations.md: a {language} block without <!-- example: name -->:\n{code[:200]}"
            assert name not in found, f"two examples named {name}"
            found[name] = (RUNNABLE[language], code + "\n")
        else:
            assert not name, f"example {name} is a {language or 'plain'} block: nothing would run it"
    return found


def test_every_runnable_block_of_the_page_is_run_by_this_suite():
    assert set(blocks()) == EXAMPLES


def _tool(name):
    if shutil.which(name) is None:
        (pytest.fail if IN_CI else pytest.skip)(f"{name} missing: apt-get install -y {name} (scripts/services.sh)")


def _env(server, token=None, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DUTYOPS_", "DATABASE_", "REDIS_"))}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"  # python, ruff, the generator
    env.update(DUTYOPS_URL=server.url, PYTHONUNBUFFERED="1", **extra)
    if token:
        env["DUTYOPS_TOKEN"] = token
    return env


def _command(name, folder):
    language, code = blocks()[name]
    path = folder / f"{name}.{'sh' if language == 'sh' else 'py'}"
    path.write_text(code, encoding="utf-8")
    if language == "sh":
        _tool("curl")
        _tool("jq")
        return ["bash", "-euo", "pipefail", str(path)]
    return [sys.executable, str(path)]


def run_example(name, folder, env, timeout=120):
    """Run an example to its end; return its output (fails on a non-zero exit)."""
    result = subprocess.run(
        _command(name, folder), cwd=folder, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, f"example {name} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def person(username):
    from dutyops.models import Person

    return Person.objects.get(username=username)


# --- the examples ---------------------------------------------------------------------


def test_token(demo_server, tmp_path):
    env = _env(demo_server, DUTYOPS_USERNAME="officer1", DUTYOPS_PASSWORD=DEMO_PASSWORD)
    out = run_example("token", tmp_path, env)
    from dutyops.models import ApiToken
    from dutyops.models.tokens import digest_of

    # A new token, shown this once: only its digest is stored (issue 16).
    assert ApiToken.objects.get(digest=digest_of(out.strip())).user == person("officer1")


def test_a_hotline_platform_pushes_a_report_with_curl(demo_server, tmp_path):
    from incidents.models import Report

    env = _env(demo_server, token_for(person("officer1")))
    out = run_example("hotline-curl", tmp_path, env)
    answer = json.loads(out)
    report = Report.objects.get(pk=answer["report"])
    assert report.incident_id == answer["incident"] and report.title == "湘江大道段积水"
    assert report.incident.duty_room == person("officer1").department
    # The platform runs it again for the same ticket (it never heard back): nothing new.
    run_example("hotline-curl", tmp_path, env)
    assert Report.objects.filter(title="湘江大道段积水").count() == 1


def test_a_hotline_platform_pushes_a_report_and_a_follow_up_with_python(demo_server, tmp_path):
    from incidents.models import Incident

    env = _env(demo_server, token_for(person("officer1")))
    out = run_example("hotline-python", tmp_path, env)
    incident = Incident.objects.get(title="捞刀河大桥两车相撞")
    assert f"incident {incident.pk} possible duplicates" in out
    assert list(incident.reports.values_list("kind", flat=True).order_by("id")) == ["first", "follow_up"]
    run_example("hotline-python", tmp_path, env)  # repeated: every report was already in
    assert Incident.objects.filter(title="捞刀河大桥两车相撞").count() == 1 and incident.reports.count() == 2


def test_a_department_system_signs_for_and_feeds_back_on_its_own_alerts(demo_server, tmp_path):
    from alerts.models import Alert, Feedback

    water = person("liaison_water").department
    open_water = list(Alert.objects.filter(department=water).exclude(state__in=["closed", "fed_back"]))
    assert any(a.acknowledged_at is None for a in open_water)  # the demo has alerts waiting to be signed for
    others = dict(Alert.objects.exclude(department=water).values_list("pk", "state"))
    env = _env(demo_server, token_for(person("liaison_water")))
    out = run_example("department", tmp_path, env)
    for alert in open_water:
        alert.refresh_from_db()
        assert alert.state == "fed_back" and alert.acknowledged_by == person("liaison_water")
        assert f"fed back on {alert.pk}" in out
    assert dict(Alert.objects.exclude(department=water).values_list("pk", "state")) == others  # nobody else's
    feedback = Feedback.objects.count()
    assert "fed back" not in run_example("department", tmp_path, env)  # nothing left to do
    assert Feedback.objects.count() == feedback


class Listener:
    """The listener example as a process of its own, its output lines collected."""

    def __init__(self, folder, env):
        self.folder, self.env, self.lines, self.proc = folder, env, queue.Queue(), None

    def start(self):
        self.proc = subprocess.Popen(
            _command("listener", self.folder),
            cwd=self.folder,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=lambda: [self.lines.put(line) for line in self.proc.stdout], daemon=True).start()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(10)

    def events_until(self, done, seconds=30):
        got, deadline = [], time.monotonic() + seconds
        while not done(got):
            try:
                line = self.lines.get(timeout=max(0.05, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"listener: waited {seconds} s; got {got}") from None
            try:
                got.append(json.loads(line))
            except json.JSONDecodeError:
                raise AssertionError(f"listener said: {line}") from None
        return got


def test_a_listener_follows_the_stream_and_resumes_after_its_restart_and_the_servers(demo_server, tmp_path):
    from incidents import services
    from realtime.models import Event

    state = tmp_path / "last-seq.txt"
    start = Event.objects.order_by("-seq").values_list("seq", flat=True).first()
    state.write_text(str(start))  # begin from now, as after a first catch-up
    env = _env(demo_server, token_for(person("wallboard")), DUTYOPS_LAST_SEQ_FILE=str(state))
    officer = person("officer1")

    def report(title):
        incident = services.intake({"title": title, "category": "accident_disaster", "kind": "first"}, officer)[1]
        return set(Event.objects.filter(incident_id=incident.pk).values_list("seq", flat=True))

    def recorded(seq):
        """Wait until the listener has written down what it handled (stopped between
        handling and writing, it would handle that one event again, as the page says)."""
        deadline = time.monotonic() + 10
        while int(state.read_text() or 0) != seq and time.monotonic() < deadline:
            time.sleep(0.05)

    def has(seqs):
        return lambda got: seqs <= {e["seq"] for e in got}

    listener = Listener(tmp_path, env)
    listener.start()
    try:
        first = report("芙蓉路燃气管道破裂")
        got = listener.events_until(has(first))
        recorded(got[-1]["seq"])
        listener.stop()
        while_down = report("岳麓山景区游客走失")  # written while the listener is down
        listener.start()
        got += listener.events_until(has(while_down))
        demo_server.restart()  # the server goes away and comes back: the listener reconnects
        after_restart = report("天心阁附近电缆起火")
        got += listener.events_until(has(after_restart), seconds=60)
        recorded(got[-1]["seq"])
    finally:
        listener.stop()
    seqs = [e["seq"] for e in got]
    everything = list(Event.objects.filter(seq__gt=start, seq__lte=max(seqs)).values_list("seq", flat=True))
    assert seqs == sorted(everything), (seqs, everything)  # every event once, in order, across both restarts
    assert int(state.read_text()) == max(seqs)
    assert {e["type"] for e in got} >= {"incident.created", "report.created"}


def test_a_nightly_export_saves_the_months_figures(demo_server, tmp_path):
    import openpyxl

    from alerts.models import Alert
    from alerts.selectors import month_bounds

    # The script exports the month of yesterday by its own (real) clock, which the suite's
    # may not be (DUTYOPS_TEST_CLOCK), nor hold the demo's alerts on the 1st: give that
    # month some of them.
    month = subprocess.check_output(["date", "-d", "yesterday", "+%Y-%m"], env={"TZ": "Asia/Shanghai"}, text=True)
    month = month.strip()
    mid_month = datetime.datetime.fromisoformat(f"{month}-15T10:00:00+08:00")
    moved = list(Alert.objects.filter(incident__is_drill=False).values_list("pk", flat=True)[:5])
    Alert.objects.filter(pk__in=moved).update(created_at=mid_month)
    env = _env(demo_server, token_for(person("admin")), DUTYOPS_EXPORT_DIR=str(tmp_path))
    out = run_example("export", tmp_path, env)
    figures = json.loads((tmp_path / f"performance-{month}.json").read_text(encoding="utf-8"))
    assert figures["period"] == month
    start, end = month_bounds(month)
    in_month = Alert.objects.filter(incident__is_drill=False, created_at__gte=start, created_at__lt=end)
    assert sum(row["alerts_received"] for row in figures["departments"]) == in_month.count() >= len(moved)
    assert figures["departments"][0]["department_name"] in out
    sheet = openpyxl.load_workbook(tmp_path / f"performance-{month}.xlsx").active
    assert sheet.cell(1, 1).value == "单位"
    assert sheet.max_row == len(figures["departments"]) + 1


def test_a_generated_client_files_a_report_and_reads_its_plan_matches(demo_server, tmp_path):
    run_example("client-generate", tmp_path, _env(demo_server), timeout=300)
    assert (tmp_path / "dutyops_client" / "api" / "reports" / "reports_create.py").exists()
    out = run_example("client-use", tmp_path, _env(demo_server, token_for(person("officer1"))))
    lines = out.splitlines()
    assert re.fullmatch(r"incident \d+", lines[0]), out
    assert lines[1].startswith("LJ-ZX-FXKH-2024 "), out  # the flood plan fits a flood best
