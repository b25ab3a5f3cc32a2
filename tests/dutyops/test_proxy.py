"""The production proxy for real: Debian's nginx with the compose topology's own
site config (deploy/nginx/default.conf.template) in front of daphne. TLS with
HSTS and Secure cookies, port 80 redirecting, and login throttling that sees
each client's own address behind the proxy (one locked client never locks
out another), while forwarding headers from anyone but the proxy are ignored.
Clients get distinct addresses by binding to 127.0.0.2, .3, ... (loopback)."""

import http.client
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import time

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.conftest import IN_CI, ROOT, free_port

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
PASSWORD = "pw-12345678"  # make_person's default


@pytest.fixture
def proxy(servers, tmp_path):
    if not os.path.exists(NGINX):
        (pytest.fail if IN_CI else pytest.skip)("nginx missing: apt-get install -y nginx-light")
    daphne = servers.daphne(DUTYOPS_TRUSTED_PROXIES="127.0.0.1", DUTYOPS_HTTPS="1", DUTYOPS_TEST_AXES="1")
    certs = tmp_path / "certs"
    call_command("make_tls_cert", str(certs), names="localhost,127.0.0.1", stdout=open(os.devnull, "w"))  # noqa: SIM115
    https_port, http_port = free_port(), free_port()
    site = (ROOT / "deploy" / "nginx" / "default.conf.template").read_text()
    site = re.sub(r"(    server web\d:8000[^\n]*\n)+", f"    server 127.0.0.1:{daphne.port};\n", site)
    site = site.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
    site = site.replace("listen 443 ssl", f"listen 127.0.0.1:{https_port} ssl")
    site = site.replace("/etc/nginx/certs", str(certs)).replace("/srv/static/", f"{settings.STATIC_ROOT}/")
    site = site.replace("${DUTYOPS_HTTPS_PORT}", str(https_port))
    assert "web1" not in site and "${" not in site
    user = "user root;" if os.geteuid() == 0 else ""
    (tmp_path / "nginx.conf").write_text(
        f"{user} worker_processes 1; pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log;\n"
        f"events {{}}\nhttp {{ include /etc/nginx/mime.types; access_log off;\n{site}\n}}\n"
    )
    process = subprocess.Popen(
        [
            NGINX,
            "-p",
            str(tmp_path),
            "-c",
            str(tmp_path / "nginx.conf"),
            "-e",
            str(tmp_path / "error.log"),
            "-g",
            "daemon off;",
        ]  # fmt: skip
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", https_port), timeout=0.2).close()
            break
        except OSError:
            assert process.poll() is None and time.monotonic() < deadline, (tmp_path / "error.log").read_text()
            time.sleep(0.1)
    tls = ssl.create_default_context(cafile=str(certs / "tls.crt"))
    if os.environ.get("DUTYOPS_TEST_CLOCK"):
        # The certificate was made on the suite's moved clock, but OpenSSL checks its dates
        # against the real one (tests/README.md, "Time"): leave the dates out of the check.
        tls.verify_flags |= 0x200000  # X509_V_FLAG_NO_CHECK_TIME
    yield type("Proxy", (), {"https_port": https_port, "http_port": http_port, "tls": tls, "daphne": daphne})
    process.terminate()
    process.wait(10)


def _request(proxy, method, path, client="127.0.0.2", body=None, headers=None, direct=False, plain=False):
    address = (client, 0)
    if direct:
        conn = http.client.HTTPConnection("127.0.0.1", proxy.daphne.port, timeout=10, source_address=address)
    elif plain:
        conn = http.client.HTTPConnection("127.0.0.1", proxy.http_port, timeout=10, source_address=address)
    else:
        conn = http.client.HTTPSConnection(
            "127.0.0.1", proxy.https_port, timeout=10, context=proxy.tls, source_address=address
        )
    payload = json.dumps(body).encode() if body is not None else None
    conn.request(method, path, body=payload, headers={"Content-Type": "application/json", **(headers or {})})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


def _token(proxy, client, password, **kwargs):
    return _request(proxy, "POST", "/api/v1/auth/token/", client, {"username": "zhang", "password": password}, **kwargs)


def test_tls_with_hsts_secure_cookies_and_port_80_redirects(proxy):
    response = _request(proxy, "GET", "/login/")
    assert response.status == 200
    assert response.getheader("Strict-Transport-Security", "").startswith("max-age=31536000")
    cookie = response.getheader("Set-Cookie", "")
    assert cookie.startswith("csrftoken=") and "Secure" in cookie
    moved = _request(proxy, "GET", "/login/?next=/console/", plain=True)
    assert moved.status == 301
    assert moved.getheader("Location") == f"https://127.0.0.1:{proxy.https_port}/login/?next=/console/"


def test_throttling_locks_the_client_that_failed_not_everyone_behind_the_proxy(proxy, make_person):
    make_person("duty_officer", username="zhang")
    for _ in range(4):
        assert _token(proxy, "127.0.0.2", "wrong").status == 400
    assert _token(proxy, "127.0.0.2", "wrong").status == 429  # the fifth failure locks
    assert _token(proxy, "127.0.0.2", PASSWORD).status == 429
    # Claiming another address in the header does not help: nginx replaces it.
    assert _token(proxy, "127.0.0.2", PASSWORD, headers={"X-Forwarded-For": "127.0.0.3"}).status == 429
    # The same person from another desk is not locked out.
    assert _token(proxy, "127.0.0.3", PASSWORD).status == 200


def test_forwarding_headers_from_anyone_but_the_proxy_are_ignored(proxy, make_person):
    make_person("duty_officer", username="zhang")
    for n in range(5):  # straight to daphne, each time claiming to be someone else
        spoofed = {"X-Forwarded-For": f"10.9.9.{n}"}
        assert _token(proxy, "127.0.0.4", "wrong", direct=True, headers=spoofed).status == (429 if n == 4 else 400)
    assert _token(proxy, "127.0.0.4", PASSWORD, direct=True, headers={"X-Forwarded-For": "10.8.8.8"}).status == 429
    assert _token(proxy, "127.0.0.5", PASSWORD).status == 200  # through the proxy, another client
