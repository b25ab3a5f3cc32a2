"""Organisation API (departments/, people/), token auth, schema and health."""

import pytest
from django.test import Client

from dutyops.models import Department, Person
from realtime.models import Event


def test_token_endpoint_returns_a_token_that_authenticates(make_person):
    make_person("duty_officer", username="zhang", password="pw-12345678")
    client = Client()
    response = client.post(
        "/api/v1/auth/token/", {"username": "zhang", "password": "pw-12345678"}, content_type="application/json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    me = client.get("/api/v1/departments/", HTTP_AUTHORIZATION=f"Token {token}")
    assert me.status_code == 200


def test_token_endpoint_refuses_wrong_password_with_400(make_person):
    make_person("duty_officer", username="zhang", password="pw-12345678")
    response = Client().post(
        "/api/v1/auth/token/", {"username": "zhang", "password": "nope"}, content_type="application/json"
    )
    assert response.status_code == 400 and "non_field_errors" in response.json()


def test_api_requires_authentication(db):
    assert Client().get("/api/v1/departments/").status_code == 401


def test_lists_are_paginated(officer, client_for, make_department):
    for _ in range(3):
        make_department()
    body = client_for(officer).get("/api/v1/departments/?page_size=2").json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 4 and len(body["results"]) == 2 and body["next"]


def test_admin_creates_department_and_the_change_is_recorded(admin_user, client_for, department):
    response = client_for(admin_user).post(
        "/api/v1/departments/",
        {
            "code": "SW",
            "name": "水利局",
            "kind": "department",
            "parent": department.pk,
            "latitude": 28.2,
            "longitude": 112.9,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    event = Event.objects.get(type="department.created")
    assert event.actor == admin_user and event.data["code"] == "SW"


@pytest.mark.parametrize(
    "payload,field",
    [
        ({"code": "X", "name": "X", "kind": "bureau"}, "kind"),
        ({"code": "X", "name": "X", "latitude": 91}, "latitude"),
        ({"code": "X", "name": "X", "longitude": -181}, "longitude"),
        ({"name": "X"}, "code"),
        ({"code": "T-OFFICE", "name": "dup"}, "code"),
        ({"code": "X", "name": "X", "parent": 999999}, "parent"),
    ],
)
def test_bad_department_input_is_400_with_field_message(admin_user, client_for, payload, field):
    response = client_for(admin_user).post("/api/v1/departments/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_department_cannot_become_its_own_ancestor(admin_user, client_for, make_department):
    top = make_department("上级")
    child = make_department("下级", parent=top)
    response = client_for(admin_user).patch(f"/api/v1/departments/{top.pk}/", {"parent": child.pk}, format="json")
    assert response.status_code == 400 and "parent" in response.json()


def test_deleting_a_department_with_people_is_409_and_keeps_it(admin_user, client_for, make_department, make_person):
    dept = make_department()
    make_person("liaison", dept=dept)
    response = client_for(admin_user).delete(f"/api/v1/departments/{dept.pk}/")
    assert response.status_code == 409 and "不能删除" in response.json()["detail"]
    assert Department.objects.filter(pk=dept.pk).exists()


@pytest.mark.parametrize("role", ["duty_officer", "duty_leader", "leader", "liaison"])
def test_only_admin_manages_departments_and_people(role, make_person, client_for):
    client = client_for(make_person(role))
    assert client.post("/api/v1/departments/", {"code": "Y", "name": "Y"}, format="json").status_code == 403
    assert (
        client.post("/api/v1/people/", {"username": "y", "password": "pw-12345678"}, format="json").status_code == 403
    )


def test_admin_creates_person_with_roles_and_password_never_shown(admin_user, client_for, department):
    response = client_for(admin_user).post(
        "/api/v1/people/",
        {
            "username": "lisi",
            "password": "S3cure-pass!",
            "full_name": "李四",
            "department": department.pk,
            "roles": ["duty_officer", "duty_leader"],
            "phone": "13800000000",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert "password" not in body and sorted(body["roles"]) == ["duty_leader", "duty_officer"]
    person = Person.objects.get(username="lisi")
    assert person.check_password("S3cure-pass!") and person.has_role("duty_leader")


@pytest.mark.parametrize(
    "payload,field",
    [
        ({"username": "a", "password": "pw-12345678", "roles": ["king"]}, "roles"),
        ({"username": "a", "password": "short"}, "password"),
        ({"username": "a"}, "password"),
        ({"username": "a", "password": "pw-12345678", "roles": ["liaison"], "department": None}, "department"),
    ],
)
def test_bad_person_input_is_400_with_field_message(admin_user, client_for, payload, field):
    response = client_for(admin_user).post("/api/v1/people/", payload, format="json")
    assert response.status_code == 400 and field in response.json()


def test_deleting_a_person_deactivates_and_keeps_the_record(admin_user, client_for, officer):
    assert client_for(admin_user).delete(f"/api/v1/people/{officer.pk}/").status_code == 204
    officer.refresh_from_db()
    assert officer.is_active is False


def test_liaison_sees_only_people_of_its_own_department(make_person, make_department, client_for):
    water, fire = make_department("水利局"), make_department("消防")
    liaison = make_person("liaison", dept=water)
    make_person("liaison", dept=fire)
    colleague = make_person("liaison", dept=water)
    names = {p["username"] for p in client_for(liaison).get("/api/v1/people/").json()["results"]}
    assert names == {liaison.username, colleague.username}


def test_schema_and_docs_are_served_without_a_cdn(officer):
    client = Client()
    client.force_login(officer)
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/").content.decode()
    assert "cdn" not in docs.lower() and "/static/" in docs


def test_healthz_reports_database_and_channel_layer(db):
    response = Client().get("/healthz")
    assert response.status_code == 200 and response.json()["database"] == "ok"


def test_unknown_api_path_is_json_404(officer, client_for):
    assert client_for(officer).get("/api/v1/departments/999999/").status_code == 404


def test_chinese_first_english_second(db):
    assert "用户名" in Client().get("/login/").content.decode()
    assert "Username" in Client().get("/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chosen = Client()
    chosen.cookies["django_language"] = "en"  # what the language switch (/i18n/setlang/) sets
    assert "Username" in chosen.get("/login/").content.decode()


def test_non_numeric_ids_are_404_not_errors(officer, client_for):
    client = client_for(officer)
    for path in ("/api/v1/departments/abc/", "/api/v1/departments/null,null/", "/api/v1/people/__main__/"):
        assert client.get(path).status_code == 404


@pytest.mark.parametrize("body", ["0", "[]", '"text"', "null"])
def test_a_body_that_is_not_a_json_object_is_400(admin_user, client_for, body):
    response = client_for(admin_user).generic("POST", "/api/v1/departments/", body, content_type="application/json")
    assert response.status_code == 400


@pytest.mark.parametrize("body", ['{"code": "X",', "{not json}", '{"n": NaN}', "\u00ff"])
def test_a_body_that_is_not_json_is_400_saying_so(admin_user, client_for, body):
    response = client_for(admin_user).generic(
        "POST", "/api/v1/departments/", body.encode(), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["detail"].startswith("请求体不是有效的 JSON：")


def test_numbers_too_large_for_the_database_are_400(admin_user, client_for):
    response = client_for(admin_user).post(
        "/api/v1/people/", {"username": "big", "password": "pw-12345678", "department": 2**70}, format="json"
    )
    assert response.status_code == 400


def test_healthz_is_503_when_redis_is_unreachable(db, settings):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [{"address": "redis://127.0.0.1:1/0", "socket_connect_timeout": 1}]},
        }
    }
    from channels.layers import channel_layers

    channel_layers.backends.pop("default", None)
    try:
        response = Client().get("/healthz")
        assert response.status_code == 503 and response.json()["channel_layer"].startswith("error")
    finally:
        channel_layers.backends.pop("default", None)


def test_sentinel_redis_url_is_understood():
    from dutyops.settings import redis_host

    assert redis_host("sentinel://10.0.0.1:26379,10.0.0.2/main/2") == {
        "sentinels": [("10.0.0.1", 26379), ("10.0.0.2", 26379)],
        "master_name": "main",
        "db": 2,
        "socket_connect_timeout": 2,
    }


def test_text_with_a_lone_surrogate_is_400_not_500(admin_user, client_for):
    body = '{"code": "X", "name": "\\ud800", "kind": "\\udfff"}'
    response = client_for(admin_user).generic("POST", "/api/v1/departments/", body, content_type="application/json")
    assert response.status_code == 400


def test_the_office_is_never_left_without_an_admin(admin_user, make_person, client_for):
    api = client_for(admin_user)
    response = api.delete(f"/api/v1/people/{admin_user.pk}/")
    assert response.status_code == 409 and "自己" in response.json()["detail"]
    response = api.patch(f"/api/v1/people/{admin_user.pk}/", {"roles": ["duty_officer"]}, format="json")
    assert response.status_code == 409 and "最后一个管理员" in response.json()["detail"]
    admin_user.refresh_from_db()
    assert admin_user.is_active and admin_user.has_role("admin")

    second = make_person("admin")
    assert api.patch(f"/api/v1/people/{admin_user.pk}/", {"roles": ["duty_officer"]}, format="json").status_code == 200
    assert client_for(second).delete(f"/api/v1/people/{admin_user.pk}/").status_code == 204
