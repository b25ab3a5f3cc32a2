"""Shared fixtures: people with roles, API clients, and real daphne servers.

Time: a test builds its instants relative to timezone.now() or freezes the
clock at its own instant with the `time_machine` fixture; never compare a
fixed date with the real clock. DUTYOPS_TEST_CLOCK=+365d moves the whole
suite (servers and browsers too) to prove it: tests/README.md, "Time".
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from rest_framework.test import APIClient

from dutyops import cache, testclock
from dutyops.models import Department, Person
from incidents.models import Incident
from realtime import events

ROOT = Path(__file__).resolve().parent.parent


# Event types the tests emit on their own (emit() refuses an undeclared type).
@events.event("test.ping")
class _TestPing:
    n: object = None
    i: int | None = None
    text: str = ""
    dept: int | None = None
    due_at: str | None = None


@events.event("test.tick")
class _TestTick:
    w: int
    n: int


IN_CI = os.environ.get("CI", "").lower() == "true"


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Process caches may hold rows an earlier test wrote and rolled back."""
    cache.clear_all()


def pytest_collection_modifyitems(config, items):
    """Tests that restart shared services run last: connections other tests left
    open (in other threads or contexts) would otherwise meet a restarted server."""
    items.sort(key=lambda item: "disruptive" in item.keywords)


def pytest_runtest_setup(item):
    """A test marked `postgres` needs PostgreSQL and Redis: skipped without them
    on a developer's machine, a failure under CI (never a silent skip there)."""
    if "postgres" not in item.keywords:
        return
    if os.environ.get("DATABASE_URL", "").startswith("postgres") and os.environ.get("REDIS_URL"):
        return
    message = "needs DATABASE_URL=postgres://... and REDIS_URL (make test starts both)"
    if IN_CI:
        pytest.fail(f"CI: {message}", pytrace=False)
    pytest.skip(message)


@pytest.fixture
def department(db):
    return Department.objects.create(code="T-OFFICE", name="测试总值班室", kind="duty_office")


@pytest.fixture
def make_department(db):
    counter = iter(range(1, 10_000))

    def make(name=None, kind="department", parent=None, **extra):
        n = next(counter)
        return Department.objects.create(code=f"T-D{n}", name=name or f"测试部门{n}", kind=kind, parent=parent, **extra)

    return make


@pytest.fixture
def make_person(db, department):
    counter = iter(range(1, 10_000))

    def make(*roles, dept=None, username=None, password="pw-12345678", **extra):
        n = next(counter)
        person = Person.objects.create_user(
            username=username or f"user{n}-{'-'.join(roles) or 'none'}",
            password=password,
            full_name=extra.pop("full_name", f"测试人员{n}"),
            department=dept or department,
            **extra,
        )
        person.set_roles(roles)
        return person

    return make


@pytest.fixture
def client_for():
    def make(person):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(person)}")
        return client

    return make


BROWSER_PASSWORD = "Duty@2026x"  # what browser tests give the people they log in as


def log_in(page, server, username, next_url, password=BROWSER_PASSWORD):
    """Log in through the login page and land on next_url."""
    page.goto(f"{server.url}/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"**{next_url}")


def token_for(person):
    """A new API token of `person` (tokens are stored hashed: only the issuer sees one)."""
    from dutyops.models import ApiToken

    return ApiToken.issue(person)[1]


@pytest.fixture
def officer(make_person):
    return make_person("duty_officer")


@pytest.fixture
def admin_user(make_person):
    return make_person("admin")


@pytest.fixture
def incident(db):
    return Incident.objects.create(title="临江河水位超警戒", category="natural_disaster")


@pytest.fixture
def water(make_department, department):
    return make_department("水利局", parent=department)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo jurisdiction, loaded once for the module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
        yield
        transaction.set_rollback(True)


# --- headless Chromium ----------------------------------------------------------

CHROMIUM = os.environ.get("DUTYOPS_CHROMIUM", "/usr/bin/chromium")
# Debian's Chromium, never a downloaded one; no background traffic on a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def browser_context(browser, **options):
    """A Chromium context in Chinese, in the configured zone, on the suite's clock."""
    context = browser.new_context(**{"locale": "zh-CN", "timezone_id": "Asia/Shanghai", **options})
    if testclock.moved():
        # The page's clock starts where the suite's moved clock is, and keeps flowing.
        context.clock.install(time=timezone.now())
    return context


@pytest.fixture
def new_page(monkeypatch):
    """Factory for pages in headless Chromium; console errors and CSP refusals collect in page.problems."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        (pytest.fail if IN_CI else pytest.skip)("Chromium missing: apt-get install -y chromium fonts-noto-cjk")
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls stay sequential.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

        def make(**context_options):
            page = browser_context(browser, **context_options).new_page()
            page.problems = []
            page.on(
                "console", lambda m: m.type == "error" and page.problems.append(f"{m.text} {m.location.get('url')}")
            )
            page.on("pageerror", lambda e: page.problems.append(str(e)))
            return page

        yield make
        browser.close()


# --- real servers -------------------------------------------------------------


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url_for_subprocess():
    """The URL of the test database this session created, for servers we start."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


class Server:
    """A daphne (or worker) process on the test database."""

    def __init__(self, argv, env, port=None):
        self.argv, self.env, self.port = argv, env, port
        self.proc = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self):
        return f"ws://127.0.0.1:{self.port}"

    def start(self):
        with open(ROOT / "var" / f"test-server-{self.port or 'worker'}.log", "ab") as log:
            self.proc = subprocess.Popen(self.argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        if self.port:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"server exited with {self.proc.returncode}; see var/test-server-*.log")
                try:
                    with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                        return self
                except OSError:
                    time.sleep(0.1)
            raise RuntimeError("server did not start in 30 s")
        return self

    def stop(self, kill=False):
        if self.proc and self.proc.poll() is None:
            (self.proc.kill if kill else self.proc.terminate)()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def restart(self):
        self.stop()
        return self.start()


@pytest.fixture
def servers(transactional_db):
    """Factory for real daphne processes and workers on the test database."""
    started = []
    env = dict(
        os.environ,
        DATABASE_URL=database_url_for_subprocess(),
        DJANGO_SETTINGS_MODULE="dutyops.settings_test",
        DJANGO_DEBUG="0",
        PYTHONUNBUFFERED="1",
    )
    (ROOT / "var").mkdir(exist_ok=True)

    class Factory:
        def daphne(self, port=None, **extra_env):
            port = port or free_port()
            argv = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "dutyops.asgi:application"]
            server = Server(argv, dict(env, **extra_env), port).start()
            started.append(server)
            return server

        def worker(self, **extra_env):
            argv = [sys.executable, "manage.py", "run_worker", "--interval", "0.2"]
            server = Server(argv, dict(env, **extra_env)).start()
            started.append(server)
            return server

    yield Factory()
    for server in started:
        server.stop(kill=True)


@pytest.fixture
def demo_server(servers):
    """A daphne on the demo jurisdiction (committed, so the server reads it), for
    tests that drive the API from outside as an integrator would."""
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    return servers.daphne()
