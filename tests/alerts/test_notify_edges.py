"""Outbound notifications off the timer path (issue 16, item 5).

- a gateway that never answers (a real local HTTP server) does not delay a due
  escalation timer in a real worker process: lateness measured;
- disabling a channel cancels its queued deliveries, recorded (who, when), and
  nothing more reaches the gateway;
- targets must match the administrators' allowlist; loopback, private and
  link-local addresses are refused unless the entry allows them, checked on the
  resolved address (a hostname pointing at 127.0.0.1 is refused too), and a
  refused target's answer never shows in deliveries/.
"""

import datetime as dt
import ipaddress
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from alerts import notify, services
from alerts.models import Delivery, NotificationChannel, WebhookTarget
from dutyops import timers
from dutyops.models import Timer
from incidents.models import Incident

pytestmark = pytest.mark.django_db(transaction=True)


class Hanging:
    """A real HTTP server that reads the request and never answers (until released)."""

    def __init__(self, answer=b'{"errcode": 7, "errmsg": "SECRET-INTERNAL-BODY"}'):
        self.arrived, self.release = [], threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers["Content-Length"]))
                server.arrived.append((time.time(), self.path))
                server.release.wait(120)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def hanging():
    server = Hanging()
    yield server
    server.close()


@pytest.fixture
def answering():
    """A server that answers at once, with a body that must never be read back through deliveries/."""
    server = Hanging()
    server.release.set()
    yield server
    server.close()


@pytest.fixture(autouse=True)
def fresh_lanes(monkeypatch):
    monkeypatch.setattr(notify, "outbox", notify.Outbox())


@pytest.fixture
def water(make_department, make_person, department):
    water = make_department("水利局", parent=department)
    make_person("liaison", dept=water, phone="13800000001")
    return water


def dispatch(water, n=1):
    incident = Incident.objects.create(title="临江河水位超警戒", category="natural_disaster")
    return [services.dispatch_alert(incident=incident, department=water, duty=f"加强巡堤查险{i}") for i in range(n)]


def test_a_hanging_gateway_does_not_delay_a_due_escalation_timer(servers, water, hanging):
    WebhookTarget.objects.create(host="127.0.0.1", allow_internal=True)
    NotificationChannel.objects.create(name="短信", kind="sms", url=hanging.url, timeout_seconds=20, max_attempts=1)
    (alert,) = dispatch(water)
    now = timezone.now()
    delivery_timer = Timer.objects.get(kind=notify.T_DELIVERY)
    step = Timer.objects.filter(kind=services.T_STEP, payload__alert=alert.pk).order_by("due_at").first()
    Timer.objects.filter(kind__startswith="alerts.").exclude(pk=delivery_timer.pk).update(
        due_at=now + dt.timedelta(hours=1)
    )
    Timer.objects.filter(pk=delivery_timer.pk).update(due_at=now)

    servers.worker()
    deadline = time.monotonic() + 30
    while not hanging.arrived and time.monotonic() < deadline:
        time.sleep(0.05)
    assert hanging.arrived, "the worker never reached the gateway"
    # The gateway now holds the worker's request (20 s timeout); the step comes due meanwhile.
    step_due = timezone.now() + dt.timedelta(seconds=2)
    Timer.objects.filter(pk=step.pk).update(due_at=step_due)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not Timer.objects.filter(pk=step.pk, fired_at__isnull=False).exists():
        time.sleep(0.1)
    step.refresh_from_db()
    assert step.fired_at is not None, "the escalation step never fired"
    lateness = (step.fired_at - step.due_at).total_seconds()
    # Still hanging: nothing was released. (The step's own reminder may have reached the
    # gateway too, on the lane's second thread: the lane is two wide.)
    assert not hanging.release.is_set() and 1 <= len(hanging.arrived) <= 2
    assert Delivery.objects.order_by("pk").first().status == "pending"  # still hanging
    print(f"escalation step lateness while the gateway hangs: {lateness:.3f} s")
    assert lateness < 1.5, f"the escalation step fired {lateness:.2f} s late while the gateway hung"


def test_disabling_a_channel_cancels_its_queued_deliveries(hanging, water, admin_user, client_for, settings):
    settings.DUTYOPS_NOTIFY_THREADS = 1
    WebhookTarget.objects.create(host="127.0.0.1", allow_internal=True)
    channel = NotificationChannel.objects.create(
        name="短信", kind="sms", url=hanging.url, timeout_seconds=30, max_attempts=3
    )
    dispatch(water, n=4)
    assert Delivery.objects.filter(status="pending").count() == 4
    timers.fire_due(now=timezone.now() + dt.timedelta(seconds=1))
    deadline = time.monotonic() + 10
    while not hanging.arrived and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(hanging.arrived) == 1 and notify.outbox.busy() == 4  # one under way, three waiting in the lane

    response = client_for(admin_user).patch(
        f"/api/v1/notification-channels/{channel.pk}/", {"enabled": False}, format="json"
    )
    assert response.status_code == 200, response.content
    cancelled = Delivery.objects.filter(channel=channel)
    assert set(cancelled.values_list("status", flat=True)) == {"cancelled"}
    assert set(cancelled.values_list("cancelled_by", flat=True)) == {admin_user.pk}
    assert all(d.cancelled_at for d in cancelled)
    # Their retries are cancelled too, and what waited in the lane was dropped.
    assert not Timer.objects.filter(kind=notify.T_DELIVERY, fired_at__isnull=True, cancelled_at__isnull=True).exists()
    hanging.release.set()
    assert notify.outbox.wait_idle(10)
    assert len(hanging.arrived) == 1
    assert set(cancelled.values_list("status", flat=True)) == {"cancelled"}  # the answer came too late to count
    timers.fire_due(now=timezone.now() + dt.timedelta(hours=2))
    assert notify.outbox.wait_idle(10) and len(hanging.arrived) == 1
    listed = client_for(admin_user).get("/api/v1/deliveries/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert {r["status"] for r in rows} == {"cancelled"} and all(r["cancelled_at"] for r in rows)


def test_deleting_a_used_channel_disables_it_and_cancels_too(hanging, water, admin_user, client_for):
    WebhookTarget.objects.create(host="127.0.0.1", allow_internal=True)
    channel = NotificationChannel.objects.create(name="企业微信", kind="wecom", url=hanging.url)
    dispatch(water, n=2)
    assert client_for(admin_user).delete(f"/api/v1/notification-channels/{channel.pk}/").status_code == 204
    assert set(Delivery.objects.values_list("status", flat=True)) == {"cancelled"}
    timers.fire_due(now=timezone.now() + dt.timedelta(seconds=1))
    assert notify.outbox.wait_idle(5) and hanging.arrived == []


# --- the allowlist ------------------------------------------------------------------


def create(client, url, kind="webhook"):
    return client.post("/api/v1/notification-channels/", {"name": f"c-{url}", "kind": kind, "url": url}, format="json")


def test_a_loopback_webhook_is_refused_unless_the_allowlist_says_so(admin_user, client_for):
    client = client_for(admin_user)
    refused = create(client, "http://127.0.0.1:9/hook")
    assert refused.status_code == 400 and "白名单" in refused.json()["url"][0]
    WebhookTarget.objects.create(host="127.0.0.1")  # listed, but internal addresses not allowed
    refused = create(client, "http://127.0.0.1:9/hook")
    assert refused.status_code == 400 and "内网" in refused.json()["url"][0]
    # Listed without "internal allowed": cloud metadata, IPv6 loopback, a private address stay refused.
    for host, url in (
        ("169.254.169.254", "http://169.254.169.254/latest/meta-data/"),
        ("::1", "http://[::1]:9/x"),
        ("10.0.0.8", "http://10.0.0.8/x"),
    ):
        WebhookTarget.objects.create(host=host)
        assert create(client, url).status_code == 400, url
    WebhookTarget.objects.filter(host="127.0.0.1").update(allow_internal=True)
    assert create(client, "http://127.0.0.1:9/hook").status_code == 201
    assert create(client, "ftp://127.0.0.1/x").status_code == 400


def test_a_hostname_resolving_to_loopback_is_refused_when_sent(answering, water, admin_user, client_for):
    """The allowlist names `localhost`; the resolved address is 127.0.0.1: refused, no request, nothing echoed."""
    WebhookTarget.objects.create(host="localhost")
    client = client_for(admin_user)
    url = f"http://localhost:{answering.port}/hook"
    assert create(client, url).status_code == 201  # a hostname: checked again, resolved, when sent
    dispatch(water)
    timers.fire_due(now=timezone.now() + dt.timedelta(seconds=1))
    assert notify.outbox.wait_idle(10)
    delivery = Delivery.objects.get()
    assert delivery.status == "failed" and delivery.attempts == 1  # refused outright, no retries
    assert "127.0.0.1" in delivery.last_error or "::1" in delivery.last_error
    assert answering.arrived == []
    body = client.get("/api/v1/deliveries/").content.decode()
    assert "SECRET-INTERNAL-BODY" not in body


def test_a_target_taken_off_the_allowlist_is_refused_when_sent(answering, water):
    entry = WebhookTarget.objects.create(host="127.0.0.1", allow_internal=True)
    NotificationChannel.objects.create(name="钩子", kind="webhook", url=f"{answering.url}/hook")
    dispatch(water)
    entry.delete()
    timers.fire_due(now=timezone.now() + dt.timedelta(seconds=1))
    assert notify.outbox.wait_idle(10)
    delivery = Delivery.objects.get()
    assert delivery.status == "failed" and "白名单" in delivery.last_error and answering.arrived == []


@pytest.mark.parametrize(
    ("pattern", "port", "host", "target_port", "matches"),
    [
        ("qyapi.weixin.qq.com", None, "qyapi.weixin.qq.com", 443, True),
        ("qyapi.weixin.qq.com", None, "evil.qyapi.weixin.qq.com", 443, False),
        ("*.example.gov.cn", None, "sms.example.gov.cn", 443, True),
        ("*.example.gov.cn", None, "example.gov.cn.evil.com", 443, False),
        ("*.example.gov.cn", None, "evilexample.gov.cn", 443, False),
        ("10.8.0.0/16", None, "10.8.3.4", 80, True),
        ("10.8.0.0/16", None, "10.9.3.4", 80, False),
        ("gw.example.org", 8443, "gw.example.org", 443, False),
        ("gw.example.org", 8443, "gw.example.org", 8443, True),
    ],
)
def test_allowlist_patterns(pattern, port, host, target_port, matches):
    assert notify._entry_matches(WebhookTarget(host=pattern, port=port), host, target_port) is matches


@pytest.mark.parametrize(
    ("address", "internal"),
    [
        ("127.0.0.1", True),
        ("10.1.2.3", True),
        ("192.168.1.1", True),
        ("169.254.169.254", True),
        ("100.64.0.1", True),
        ("0.0.0.0", True),
        ("::1", True),
        ("fe80::1", True),
        ("fd00::1", True),
        ("::ffff:127.0.0.1", True),
        ("224.0.0.1", True),
        ("8.8.8.8", False),
        ("2001:4860:4860::8888", False),
    ],
)
def test_internal_addresses(address, internal):
    assert notify.is_internal(ipaddress.ip_address(address)) is internal
