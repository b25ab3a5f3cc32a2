"""The production topology (docker-compose.yml) is safe by default: no demo
accounts, TLS in front, the application on a role that cannot rewrite history.
No Docker engine here: the compose file is read as data; nginx itself is
tested for real in test_proxy.py."""

import datetime
import ipaddress
import re
import stat

import pytest
import yaml
from cryptography import x509
from django.core.management import CommandError, call_command

from dutyops.models import Person
from tests.conftest import ROOT

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
NGINX = (ROOT / "deploy" / "nginx" / "default.conf.template").read_text()


def _command(service):
    command = service.get("command", "")
    return " ".join(command) if isinstance(command, list) else command


def test_compose_never_seeds_the_demo_or_prints_a_token():
    for name, service in SERVICES.items():
        command = _command(service)
        assert "seed_demo" not in command and "board_token" not in command, name
        for value in (service.get("environment") or {}).values():
            assert "Duty@2026" not in str(value), name
    assert "seed_demo" not in (ROOT / "deploy" / "Dockerfile").read_text()


def test_secrets_are_required_never_defaulted():
    text = (ROOT / "docker-compose.yml").read_text()
    for name in ("DUTYOPS_SECRET_KEY", "POSTGRES_PASSWORD", "DUTYOPS_APP_DB_PASSWORD"):
        uses = re.findall(r"\$\{" + name + r"([^}]*)\}", text)
        assert uses and all(u.startswith(":?") for u in uses), (name, uses)


def test_the_application_runs_as_its_own_role_and_migrations_as_the_owner():
    for name in ("web1", "web2", "worker"):
        url = SERVICES[name]["environment"]["DATABASE_URL"]
        assert url.startswith("postgres://dutyops_app:"), name
    migrate = SERVICES["migrate"]
    assert migrate["environment"]["DATABASE_URL"].startswith("postgres://dutyops:")
    assert re.search(r"migrate .*&& python manage.py grant_app_role", _command(migrate))


def test_https_in_front_with_hsts_and_the_proxy_trusted_by_address():
    nginx = SERVICES["nginx"]
    assert any(str(p).endswith(":443") for p in nginx["ports"])
    assert SERVICES["web1"]["environment"]["DUTYOPS_HTTPS"] == "1"
    trusted = SERVICES["web1"]["environment"]["DUTYOPS_TRUSTED_PROXIES"]
    assert nginx["networks"]["backend"]["ipv4_address"] == trusted
    subnet = COMPOSE["networks"]["backend"]["ipam"]["config"][0]["subnet"]
    assert ipaddress.ip_address(trusted) in ipaddress.ip_network(subnet)
    assert "listen 443 ssl" in NGINX and "Strict-Transport-Security" in NGINX
    assert re.search(r"listen 80;\s+location / \{\s+return 301 https://", NGINX)
    # A client's own X-Forwarded-For is replaced, never appended to.
    assert "$proxy_add_x_forwarded_for" not in NGINX and "X-Forwarded-For $remote_addr" in NGINX


def test_a_self_signed_certificate_is_made_once_and_a_real_one_is_kept(tmp_path):
    call_command("make_tls_cert", str(tmp_path), names="duty.example.gov,10.0.0.5", stdout=open("/dev/null", "w"))  # noqa: SIM115
    key, crt = tmp_path / "tls.key", tmp_path / "tls.crt"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    cert = x509.load_pem_x509_certificate(crt.read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["duty.example.gov"]
    assert [str(a) for a in names.get_values_for_type(x509.IPAddress)] == ["10.0.0.5"]
    assert cert.not_valid_after_utc - datetime.datetime.now(datetime.UTC) > datetime.timedelta(days=700)
    crt.write_text("the administrator's real certificate")
    call_command("make_tls_cert", str(tmp_path), stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert crt.read_text() == "the administrator's real certificate"


def test_the_first_administrator_comes_from_the_environment_once(db, monkeypatch):
    quiet = {"stdout": open("/dev/null", "w")}  # noqa: SIM115
    call_command("ensure_admin", **quiet)  # nothing asked for: nothing made
    assert not Person.objects.exists()
    monkeypatch.setenv("DUTYOPS_ADMIN_USERNAME", "chief")
    monkeypatch.setenv("DUTYOPS_ADMIN_PASSWORD", "123")
    with pytest.raises(CommandError):
        call_command("ensure_admin", **quiet)
    assert not Person.objects.exists()
    monkeypatch.setenv("DUTYOPS_ADMIN_PASSWORD", "Long-enough-passphrase-2026")
    call_command("ensure_admin", **quiet)
    chief = Person.objects.get(username="chief")
    assert chief.is_superuser and chief.has_role("admin") and chief.check_password("Long-enough-passphrase-2026")
    monkeypatch.setenv("DUTYOPS_ADMIN_PASSWORD", "Another-passphrase-2027")
    call_command("ensure_admin", **quiet)  # an existing account is never changed
    chief.refresh_from_db()
    assert chief.check_password("Long-enough-passphrase-2026")
