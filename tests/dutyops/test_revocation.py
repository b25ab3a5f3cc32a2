"""Revocation (issue 16, CONTRACT.md "Roles and scope"): deactivation, a new
password, other roles or another department end the person's API tokens,
sessions and iCal feeds; rotating a wall board's token ends its kiosk sessions;
tokens are stored hashed. (Open sockets closing on a real daphne:
tests/realtime/test_revocation.py.)"""

import hashlib
import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from dutyops.models import ApiToken, Person
from realtime.models import Event
from tests.conftest import token_for

TRIGGERS = {
    "deactivated": lambda api, person, other: api.delete(f"/api/v1/people/{person.pk}/"),
    "password": lambda api, person, other: api.patch(
        f"/api/v1/people/{person.pk}/", {"password": "Another-pw-2026"}, format="json"
    ),
    "roles": lambda api, person, other: api.patch(
        f"/api/v1/people/{person.pk}/", {"roles": ["duty_officer", "duty_leader"]}, format="json"
    ),
    "department": lambda api, person, other: api.patch(
        f"/api/v1/people/{person.pk}/", {"department": other.pk}, format="json"
    ),
}


def _session(person):
    browser = Client()
    browser.force_login(person)
    return browser


def _signed_in(browser):
    return browser.get("/api/v1/incidents/").status_code == 200


def _feed_path(person):
    response = APIClient()
    response.credentials(HTTP_AUTHORIZATION=f"Token {token_for(person)}")
    created = response.post("/api/v1/calendar-feeds/", {"person": person.pk}, format="json")
    assert created.status_code == 201, created.content
    return created.json()["url"].split("testserver", 1)[-1]


@pytest.mark.parametrize("reason", sorted(TRIGGERS))
def test_a_change_ends_tokens_sessions_and_feeds_and_is_recorded(
    reason, admin_user, make_person, make_department, client_for
):
    person = make_person("duty_officer")
    other = make_department("另一个单位")
    token = token_for(person)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    browser = _session(person)
    feed = _feed_path(person)
    assert api.get("/api/v1/incidents/").status_code == 200 and _signed_in(browser)
    assert Client().get(feed).status_code == 200

    response = TRIGGERS[reason](client_for(admin_user), person, other)
    assert response.status_code in (200, 204), response.content

    assert api.get("/api/v1/incidents/").status_code == 401
    assert not _signed_in(browser)
    assert Client().get(feed).status_code == 404
    assert not ApiToken.objects.filter(user=person).exists()
    record = Event.objects.filter(type="person.credentials_revoked", data__id=person.pk).get()
    assert record.actor == admin_user and record.data["reasons"] == [reason]
    assert record.data["tokens"] == 2  # the one used here and the feed-maker's
    assert Event.objects.filter(type="calendar_feed.revoked", actor=admin_user).count() == 1


def test_other_edits_leave_the_person_signed_in(admin_user, make_person, client_for):
    person = make_person("duty_officer")
    api = client_for(person)
    browser = _session(person)
    feed = _feed_path(person)
    admin = client_for(admin_user)
    edit = admin.patch(f"/api/v1/people/{person.pk}/", {"phone": "13900000000", "full_name": "新名字"}, format="json")
    assert edit.status_code == 200
    same_roles = admin.patch(f"/api/v1/people/{person.pk}/", {"roles": ["duty_officer"]}, format="json")
    assert same_roles.status_code == 200
    person.refresh_from_db()
    person.save(update_fields=["last_login"])
    assert api.get("/api/v1/incidents/").status_code == 200 and _signed_in(browser)
    assert Client().get(feed).status_code == 200
    assert not Event.objects.filter(type="person.credentials_revoked").exists()


def test_a_token_is_refused_after_the_person_changes_their_password_through_any_path(make_person):
    person = make_person("duty_officer", password="Old-pw-2026x")
    api = APIClient()
    issued = api.post("/api/v1/auth/token/", {"username": person.username, "password": "Old-pw-2026x"}, format="json")
    token = issued.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/incidents/").status_code == 200
    person.set_password("New-pw-2026x")  # as `manage.py changepassword` and the admin site do
    person.save()
    assert api.get("/api/v1/incidents/").status_code == 401
    record = Event.objects.get(type="person.credentials_revoked")
    assert record.actor is None and record.data["reasons"] == ["password"]  # nobody signed in did it: the system
    fresh = APIClient().post(
        "/api/v1/auth/token/", {"username": person.username, "password": "New-pw-2026x"}, format="json"
    )
    api.credentials(HTTP_AUTHORIZATION=f"Token {fresh.json()['token']}")
    assert api.get("/api/v1/incidents/").status_code == 200


def test_roles_set_through_the_group_side_revoke_too(make_person):
    from django.contrib.auth.models import Group

    person = make_person("duty_officer")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(person)}")
    Group.objects.get(name="duty_officer").user_set.remove(person)
    assert api.get("/api/v1/incidents/").status_code == 401


def test_tokens_are_stored_hashed_and_shown_once(make_person):
    person = make_person("duty_officer", password="Secret-pw-2026")
    body = {"username": person.username, "password": "Secret-pw-2026"}
    first = APIClient().post("/api/v1/auth/token/", body, format="json").json()["token"]
    second = APIClient().post("/api/v1/auth/token/", body, format="json").json()["token"]
    assert first != second and len(first) == 40
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM dutyops_apitoken")
        rows = cursor.fetchall()
    stored = " ".join(str(value) for row in rows for value in row)
    assert len(rows) == 2 and first not in stored and second not in stored
    assert {hashlib.sha256(t.encode()).hexdigest() for t in (first, second)} <= {str(v) for r in rows for v in r}
    for token in (first, second):  # both work: each client keeps its own
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        assert api.get("/api/v1/incidents/").status_code == 200
    # The token list in the admin shows prefixes, never a usable token.
    admin = Client()
    admin.force_login(Person.objects.create_superuser("root", password="Root-pw-2026x"))
    page = admin.get("/admin/dutyops/apitoken/").content.decode()
    assert first[:6] in page and first not in page


def test_a_person_keeps_a_bounded_number_of_tokens(make_person):
    from dutyops.models.tokens import TOKENS_PER_PERSON

    person = make_person("duty_officer", password="Secret-pw-2026")
    body = {"username": person.username, "password": "Secret-pw-2026"}
    tokens = [APIClient().post("/api/v1/auth/token/", body, format="json").json()["token"] for _ in range(22)]
    assert ApiToken.objects.filter(user=person).count() == TOKENS_PER_PERSON
    oldest, newest = APIClient(), APIClient()
    oldest.credentials(HTTP_AUTHORIZATION=f"Token {tokens[0]}")
    newest.credentials(HTTP_AUTHORIZATION=f"Token {tokens[-1]}")
    assert oldest.get("/api/v1/incidents/").status_code == 401 and newest.get("/api/v1/incidents/").status_code == 200


def test_rotating_the_kiosk_token_ends_the_kiosk_session_and_the_old_token(db):
    out = io.StringIO()
    call_command("board_token", "--base-url", "http://wall", stdout=out)
    old = out.getvalue().strip().split("token=")[1]
    screen = Client()
    assert screen.get(f"/board/?token={old}").status_code == 302
    assert screen.get("/board/").status_code == 200
    assert screen.get("/api/v1/board/snapshot/").status_code == 200

    # Without --rotate the token is not shown again (only its digest is kept).
    again = io.StringIO()
    call_command("board_token", stdout=again, stderr=io.StringIO())
    assert again.getvalue() == ""

    out = io.StringIO()
    call_command("board_token", "--rotate", stdout=out)
    new = out.getvalue().strip().split("token=")[1]
    assert new != old
    response = screen.get("/board/")  # the 30-day kiosk session is over
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert screen.get("/api/v1/board/snapshot/").status_code in (401, 403)
    refused = Client().get(f"/board/?token={old}")
    assert refused.status_code == 302 and refused["Location"].startswith("/login/")
    fresh = Client()
    assert fresh.get(f"/board/?token={new}").status_code == 302 and fresh.get("/board/").status_code == 200
    record = Event.objects.get(type="person.credentials_revoked")
    assert record.data["reasons"] == ["kiosk_token"] and record.data["username"] == "board"


def test_a_feed_stops_when_its_person_is_deactivated_behind_the_apps_back(make_person, admin_user, client_for):
    """A raw UPDATE fires no signal; the feed still checks who it belongs to."""
    person = make_person("duty_officer")
    feed = _feed_path(person)
    made_by_admin = client_for(admin_user).post("/api/v1/calendar-feeds/", {"person": person.pk}, format="json")
    other_feed = made_by_admin.json()["url"].split("testserver", 1)[-1]
    assert Client().get(feed).status_code == 200 and Client().get(other_feed).status_code == 200
    Person.objects.filter(pk=person.pk).update(is_active=False)
    assert Client().get(feed).status_code == 404 and Client().get(other_feed).status_code == 404


def test_deactivation_also_ends_feeds_others_made_of_the_persons_shifts(make_person, admin_user, client_for):
    person = make_person("duty_officer")
    admin = client_for(admin_user)
    made = admin.post("/api/v1/calendar-feeds/", {"person": person.pk}, format="json").json()
    assert admin.delete(f"/api/v1/people/{person.pk}/").status_code == 204
    assert Client().get(made["url"].split("testserver", 1)[-1]).status_code == 404
    person.is_active = True
    person.save()  # reactivated: the revoked feed stays revoked (a new URL can be made)
    assert Client().get(made["url"].split("testserver", 1)[-1]).status_code == 404


def test_the_session_of_an_upgraded_installation_stays_valid_until_a_revocation(make_person):
    """Auth version 0 hashes sessions as Django does: nobody is logged out by the upgrade."""
    from django.contrib.auth.base_user import AbstractBaseUser

    person = make_person("duty_officer")
    assert person.auth_version == 0
    assert person.get_session_auth_hash() == AbstractBaseUser._get_session_auth_hash(person)
    person.set_roles(["liaison"])
    person.refresh_from_db()
    assert person.auth_version == 1
    assert person.get_session_auth_hash() != AbstractBaseUser._get_session_auth_hash(person)


@pytest.mark.django_db(transaction=True)
def test_the_migration_hashes_the_old_plain_tokens_and_drops_their_table(make_person):
    """dutyops 0005 on a database that still has DRF's authtoken_token."""
    from importlib import import_module

    migration = import_module("dutyops.migrations.0005_api_tokens_hashed")
    person = make_person("duty_officer")
    key = "e27d439161bba51d93cf85f12b39c70846d00753"
    created = timezone.now().replace(tzinfo=None, microsecond=0)  # the old token's, as DRF stored it
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamp, user_id integer)")
        cursor.execute(
            "INSERT INTO authtoken_token VALUES (%s, %s, %s)",
            [key, created.isoformat(" "), person.pk],
        )
    with connection.schema_editor() as editor:
        migration.hash_old_tokens(apps, editor)
    assert "authtoken_token" not in connection.introspection.table_names()
    token = ApiToken.objects.get(user=person)
    assert token.digest == hashlib.sha256(key.encode()).hexdigest() and token.prefix == key[:6]
    assert token.created.year == created.year  # its creation time kept
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/incidents/").status_code == 200  # the client keeps its token


def test_the_revocation_reads_in_chinese_and_english():
    from django.utils import translation

    from realtime.events import describe

    data = {"id": 1, "username": "zhang", "full_name": "张三", "reasons": ["password", "roles"], "tokens": 1}
    with translation.override("zh-hans"):
        assert describe("person.credentials_revoked", data) == "人员登录凭据已撤销：张三（密码变更、角色变更）"
    with translation.override("en"):
        assert (
            describe("person.credentials_revoked", data) == "Sign-ins revoked: 张三 (password changed, roles changed)"
        )
