"""Outbound notification channels: configured as data, sent by the worker, failures retried and recorded."""

import datetime as dt
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from alerts import notify, services
from alerts.models import Delivery, NotificationChannel, WebhookTarget
from dutyops import timers
from incidents.models import Incident

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def local_gateways_allowed(monkeypatch):
    """These gateways run on this machine: the allowlist lets 127.0.0.1 in, explicitly.
    Each test gets lanes of its own (channel ids repeat between tests)."""
    monkeypatch.setattr(notify, "outbox", notify.Outbox())
    WebhookTarget.objects.create(host="127.0.0.1", allow_internal=True, note="test gateways")


def fire(now):
    """Fire what is due, then wait for the channels' lanes to finish sending."""
    fired = timers.fire_due(now=now)
    assert notify.outbox.wait_idle(30)
    return fired


class Gateway:
    """A tiny local HTTP endpoint standing in for an SMS gateway or a WeCom/DingTalk robot."""

    def __init__(self):
        self.received, self.fail_next = [], 0
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if gateway.fail_next:
                    gateway.fail_next -= 1
                    self.send_response(502)
                    self.end_headers()
                    return
                gateway.received.append((self.path, json.loads(body), dict(self.headers)))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"errcode": 0, "errmsg": "ok"}')

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway():
    g = Gateway()
    yield g
    g.close()


@pytest.fixture
def setup(make_department, make_person, department):
    water = make_department("水利局", parent=department)
    make_person("liaison", dept=water, phone="13800000001")
    incident = Incident.objects.create(title="临江河水位超警戒", category="natural_disaster")
    return water, incident


def dispatch(setup):
    water, incident = setup
    return services.dispatch_alert(incident=incident, department=water, duty="加强巡堤查险", ack_minutes=10)


def test_alert_goes_out_on_wecom_and_sms_channels(gateway, setup):
    NotificationChannel.objects.create(name="企业微信", kind="wecom", url=f"{gateway.url}/wecom")
    NotificationChannel.objects.create(name="短信", kind="sms", url=f"{gateway.url}/sms", headers={"X-Key": "k1"})
    NotificationChannel.objects.create(name="停用", kind="sms", url=f"{gateway.url}/off", enabled=False)
    alert = dispatch(setup)
    assert set(Delivery.objects.values_list("status", flat=True)) == {"pending"}
    assert gateway.received == []  # nothing is sent inside the alert's own transaction
    fire(now=timezone.now() + dt.timedelta(seconds=1))
    by_path = {path: (body, headers) for path, body, headers in gateway.received}
    assert set(by_path) == {"/wecom", "/sms"}
    wecom, _ = by_path["/wecom"]
    assert wecom["msgtype"] == "text" and "水利局" in wecom["text"]["content"]
    assert wecom["text"]["mentioned_mobile_list"] == ["13800000001"]
    sms, headers = by_path["/sms"]
    assert sms["phones"] == ["13800000001"] and headers["X-Key"] == "k1"
    assert set(Delivery.objects.filter(alert=alert).values_list("status", flat=True)) == {"sent"}


def test_failed_delivery_is_recorded_and_retried_until_it_goes_through(gateway, setup):
    NotificationChannel.objects.create(name="钉钉", kind="dingtalk", url=f"{gateway.url}/ding", max_attempts=3)
    gateway.fail_next = 1
    dispatch(setup)
    now = timezone.now()
    fire(now=now + dt.timedelta(seconds=1))
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("pending", 1, "HTTP 502")
    fire(now=now + dt.timedelta(seconds=5))
    assert Delivery.objects.get().attempts == 1  # the retry waits for its backoff
    fire(now=now + dt.timedelta(seconds=40))
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 2, "")
    assert gateway.received[0][1]["at"]["atMobiles"] == ["13800000001"]
    fire(now=now + dt.timedelta(hours=1))
    assert len(gateway.received) == 1, [
        b["text"]["content"] for _, b, _h in gateway.received
    ]  # sent once, no further retries


def test_an_unreachable_gateway_never_blocks_or_fails_the_alert(setup, free_port_url):
    NotificationChannel.objects.create(name="短信", kind="sms", url=free_port_url, max_attempts=2, timeout_seconds=1)
    started = time.monotonic()
    alert = dispatch(setup)
    assert time.monotonic() - started < 5 and alert.pk  # rows only: no gateway is asked (5 s: a loaded machine)
    now = timezone.now()
    fire(now=now + dt.timedelta(seconds=1))
    fire(now=now + dt.timedelta(minutes=5))
    delivery = Delivery.objects.get()
    assert delivery.status == "failed" and delivery.attempts == 2 and delivery.last_error


def test_only_notices_the_channel_asks_for(gateway, setup):
    NotificationChannel.objects.create(name="升级", kind="webhook", url=f"{gateway.url}/up", notices=["escalated"])
    alert = dispatch(setup)
    fire(now=alert.ack_due_at + dt.timedelta(minutes=20))
    fire(now=alert.ack_due_at + dt.timedelta(minutes=20, seconds=1))
    notices = sorted(body["notice"] for _p, body, _h in gateway.received)
    assert notices == ["escalated"]


def test_channels_are_admin_data_with_validation(admin_user, officer, client_for):
    client = client_for(admin_user)
    ok = client.post(
        "/api/v1/notification-channels/",
        {"name": "企业微信", "kind": "wecom", "url": "http://127.0.0.1:9/x", "notices": ["created"]},
        format="json",
    )
    assert ok.status_code == 201
    bad = client.post(
        "/api/v1/notification-channels/", {"name": "x", "kind": "fax", "url": "nope", "notices": ["x"]}, format="json"
    )
    assert bad.status_code == 400 and {"kind", "url", "notices"} <= set(bad.json())
    assert client_for(officer).get("/api/v1/notification-channels/").status_code == 403


@pytest.fixture
def free_port_url():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/sms"
