"""Secrets shown once are never kept for a replay (dutyops/idempotency.py, issue 16):
an `Idempotency-Key` on a POST whose answer carries a credential still makes the POST
happen once, but no IdempotencyRecord holds the credential (it would sit there for 24 h
and in every backup), and a repeat is a 409 naming what was made, never the secret again."""

from rest_framework.test import APIClient

from chain.models import Link
from duty.models import CalendarFeed
from dutyops.models import IdempotencyRecord
from inbound.models import Source


def _kept():
    """Every byte the idempotency records hold."""
    return b"".join(
        bytes(body) + content_type.encode() + fingerprint.encode()
        for body, content_type, fingerprint in IdempotencyRecord.objects.values_list(
            "body", "content_type", "fingerprint"
        )
    )


def _repeat_is_a_409_without_the_secret(client, path, body, secret, created):
    again = client.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY="make-it-once")
    assert again.status_code == 409, again.content
    assert again.json()["id"] == created and "只显示一次" in again.json()["detail"]
    assert again["Idempotent-Replayed"] == "true"
    assert secret not in again.content.decode()


def test_a_sources_key_is_shown_once_and_never_kept_for_a_replay(admin_user, client_for):
    admin = client_for(admin_user)
    body = {"name": "12345 政务服务热线"}
    made = admin.post("/api/v1/sources/", body, format="json", HTTP_IDEMPOTENCY_KEY="make-it-once")
    assert made.status_code == 201
    key = made.json()["key"]
    assert IdempotencyRecord.objects.count() == 1  # the POST is still claimed: it happens once
    assert key.encode() not in _kept()
    _repeat_is_a_409_without_the_secret(admin, "/api/v1/sources/", body, key, made.json()["id"])
    assert Source.objects.count() == 1


def test_a_calendar_feeds_url_is_shown_once_and_never_kept_for_a_replay(officer, client_for):
    client = client_for(officer)
    body = {"person": officer.pk}
    made = client.post("/api/v1/calendar-feeds/", body, format="json", HTTP_IDEMPOTENCY_KEY="make-it-once")
    assert made.status_code == 201
    url = made.json()["url"]
    secret = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert len(secret) > 20 and secret.encode() not in _kept()
    _repeat_is_a_409_without_the_secret(client, "/api/v1/calendar-feeds/", body, secret, made.json()["id"])
    assert CalendarFeed.objects.count() == 1
    assert APIClient().get(url).status_code == 200  # the URL shown once works


def test_a_links_credential_and_a_new_token_are_never_kept(admin_user, client_for, officer):
    credential = "peer-issued-credential-0123456789"
    body = {"name": "市应急局", "direction": "up", "url": "http://10.1.2.3:8000", "credential": credential}
    made = client_for(admin_user).post("/api/v1/links/", body, format="json", HTTP_IDEMPOTENCY_KEY="link-1")
    assert made.status_code == 201 and credential not in made.content.decode()  # write only
    assert Link.objects.get().credential == credential
    officer.set_password("pw-12345678")
    officer.save()
    login = {"username": officer.username, "password": "pw-12345678"}
    token = APIClient().post("/api/v1/auth/token/", login, format="json", HTTP_IDEMPOTENCY_KEY="t-1").json()["token"]
    kept = _kept()
    assert credential.encode() not in kept and token.encode() not in kept


def test_the_schema_says_a_repeat_of_a_secret_is_a_409(admin_user, client_for):
    schema = client_for(admin_user).get("/api/schema/?format=json").json()
    for path in ("/api/v1/sources/", "/api/v1/calendar-feeds/"):
        assert "shown once" in schema["paths"][path]["post"]["responses"]["409"]["description"]
