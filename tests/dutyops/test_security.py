"""Security: login throttling, headers and CSP, CSRF on pages."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from dutyops.models import ApiToken


@pytest.fixture
def throttled(settings):
    settings.AXES_ENABLED = True
    settings.AUTHENTICATION_BACKENDS = [
        "axes.backends.AxesStandaloneBackend",
        "django.contrib.auth.backends.ModelBackend",
    ]


def _token(client, password):
    return client.post(
        "/api/v1/auth/token/", {"username": "zhang", "password": password}, content_type="application/json"
    )


def test_token_endpoint_locks_after_five_failures_even_for_the_right_password(throttled, make_person):
    make_person("duty_officer", username="zhang", password="right-pass-1")
    client = Client()
    assert _token(client, "right-pass-1").status_code == 200
    for _ in range(4):
        assert _token(client, "wrong").status_code == 400
    assert _token(client, "wrong").status_code == 429
    locked = _token(client, "right-pass-1")
    assert locked.status_code == 429 and "15" in locked.json()["detail"]


def test_login_page_locks_after_five_failures(throttled, make_person):
    make_person("duty_officer", username="zhang", password="right-pass-1")
    client = Client()
    for _ in range(5):
        client.post("/login/", {"username": "zhang", "password": "wrong"})
    response = client.post("/login/", {"username": "zhang", "password": "right-pass-1"})
    assert response.status_code == 429 and "15" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_pages_carry_a_strict_content_security_policy(db):
    response = Client().get("/login/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_api_docs_have_no_inline_script(officer):
    client = Client()
    client.force_login(officer)
    html = client.get("/api/docs/").content.decode()
    assert "<script>" not in html and "?script=" in html.replace("&amp;", "&")


def test_login_form_requires_csrf(make_person):
    make_person("duty_officer", username="zhang", password="right-pass-1")
    client = Client(enforce_csrf_checks=True)
    assert client.post("/login/", {"username": "zhang", "password": "right-pass-1"}).status_code == 403


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/people/?department=²",
        "/api/v1/reports/?incident=²",
        "/api/v1/plans/?lead_department=²",
        "/api/v1/activations/?incident=²",
        "/api/v1/incidents/{incident}/plan-matches/?limit=²",
    ],
)
def test_non_ascii_digits_in_ids_are_refused_or_ignored_never_a_500(url, admin_user, incident, client_for):
    """str.isdigit() accepts "²", int() does not."""
    response = client_for(admin_user).get(url.format(incident=incident.pk))
    assert response.status_code in (200, 400)


def test_activation_of_a_plan_named_by_a_non_ascii_digit_is_a_400(admin_user, incident, client_for):
    response = client_for(admin_user).post(
        f"/api/v1/incidents/{incident.pk}/activations/", {"plan": "²", "level": "IV"}, format="json"
    )
    assert response.status_code == 400


def test_an_unknown_api_path_is_a_json_404_and_a_page_stays_html(admin_user, client_for):
    api = client_for(admin_user)
    for url in ("/api/v1/incidents/abc/transition/", "/api/v1/alerts/abc/acknowledge/", "/api/v1/nothing/"):
        response = api.post(url, {}, format="json")
        assert response.status_code == 404 and response["Content-Type"] == "application/json", url
        assert response.json()["detail"]
    assert "text/html" in api.get("/no-such-page/")["Content-Type"]


def test_a_token_follows_its_owner_at_once_roles_deactivation_and_deletion(make_person, client_for):
    """Tokens are cached briefly per process; an edit still applies to the next
    request. A change of roles or deactivation revokes the token outright
    (dutyops.credentials); a deleted token is refused at once."""
    person = make_person("duty_officer")
    api = client_for(person)
    report = {"kind": "first", "channel": "phone", "category": "natural_disaster", "title": "堤防管涌"}
    assert api.post("/api/v1/reports/", report, format="json").status_code == 201
    person.set_roles(["board"])  # read-only (a liaison may now file its own department's reports)
    assert api.post("/api/v1/reports/", report, format="json").status_code == 401
    api = client_for(person)
    assert api.post("/api/v1/reports/", report, format="json").status_code == 403
    person.set_roles(["duty_officer"])
    api = client_for(person)
    assert api.post("/api/v1/reports/", report, format="json").status_code == 201
    person.is_active = False
    person.save()
    assert api.get("/api/v1/incidents/").status_code == 401
    person.is_active = True
    person.save()
    assert api.get("/api/v1/incidents/").status_code == 401  # reactivated, but its tokens ended
    api = client_for(person)
    assert api.get("/api/v1/incidents/").status_code == 200
    ApiToken.objects.filter(user=person).delete()
    assert api.get("/api/v1/incidents/").status_code == 401


def _token_reads(api, url):
    """How many times answering `url` read a token from the database (not from the cache)."""
    with CaptureQueriesContext(connection) as queries:
        assert api.get(url).status_code == 200
    return sum('FROM "dutyops_apitoken"' in q["sql"] for q in queries.captured_queries)


def test_an_edit_forgets_only_the_cached_tokens_read_from_the_row_edited(make_person, make_department, client_for):
    """A unit renamed, a person edited, a token revoked: the next request of anyone else
    is still served from the cache (an admin's writes to departments kept re-reading their
    own token), while the people of the row edited read theirs again."""
    water, fire = make_department("水务局"), make_department("消防救援支队")
    liaison_water, liaison_fire = make_person("liaison", dept=water), make_person("liaison", dept=fire)
    apis = {person: client_for(person) for person in (liaison_water, liaison_fire)}
    for person, api in apis.items():
        assert _token_reads(api, "/api/v1/alerts/") == 1
        assert _token_reads(api, "/api/v1/alerts/") == 0, person
    fire.name = "消防救援支队（改）"
    fire.save()
    assert _token_reads(apis[liaison_water], "/api/v1/alerts/") == 0
    assert _token_reads(apis[liaison_fire], "/api/v1/alerts/") == 1
    liaison_water.phone = "13900000000"
    liaison_water.save()
    assert _token_reads(apis[liaison_water], "/api/v1/alerts/") == 1
    assert _token_reads(apis[liaison_fire], "/api/v1/alerts/") == 0
    ApiToken.objects.filter(user=liaison_fire).delete()
    assert apis[liaison_fire].get("/api/v1/alerts/").status_code == 401
    assert _token_reads(apis[liaison_water], "/api/v1/alerts/") == 0


def test_a_token_follows_its_owners_department_at_once(make_person, client_for, department):
    """The cached token carries its owner's department (whether they are in the duty
    office, the room a report of theirs comes from): an edit of it applies to the next request."""
    person = make_person("duty_officer")
    api = client_for(person)
    report = {"kind": "first", "channel": "phone", "category": "natural_disaster", "title": "堤防管涌"}
    first = api.post("/api/v1/reports/", report, format="json")
    assert first.status_code == 201 and not first.json()["source"]  # the office files as itself
    department.kind = "district"
    department.save()
    second = api.post("/api/v1/reports/", report, format="json")
    assert second.status_code == 201 and second.json()["source"] == department.name
