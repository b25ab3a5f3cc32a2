"""Input edges (issue 16, item 6): JSON nested beyond 64 levels is a 400 with a
clear message, never a 500; text that shows nothing (zero-width characters, a
BOM, bidi controls, whitespace) is refused with a 400 field message on every
create and update path, API and forms alike, through one shared validator."""

import datetime as dt
import importlib
import inspect
import json

import pytest
from django import forms
from django.apps import apps
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework import serializers

from dutyops import text as visible
from dutyops.parsers import MAX_JSON_DEPTH, json_too_deep

INVISIBLE = [
    "\u200b",  # zero-width space
    "\u200c\u200d",  # zero-width non-joiner, joiner
    "\ufeff",  # BOM
    "\u202e\u202c",  # right-to-left override, pop directional formatting
    "\u2066\u2069",  # isolates
    "\u200e\u200f",  # LRM, RLM
    "\u2060",  # word joiner
    "\u00ad",  # soft hyphen
    "\u3164",  # Hangul filler
    "\u2800",  # braille blank
    " \u200b\u3000\u00a0 ",  # mixed with (full-width, no-break) spaces
]

# --- JSON depth ------------------------------------------------------------------------


def nested(depth, leaf=1):
    """A JSON text: an object holding arrays nested `depth` levels in all."""
    return '{"title": ' + "[" * (depth - 1) + json.dumps(leaf) + "]" * (depth - 1) + "}"


@pytest.mark.parametrize("depth", [10_000, 100_000])
def test_very_deep_json_is_a_400_not_a_500(officer, client_for, depth):
    response = client_for(officer).generic("POST", "/api/v1/reports/", nested(depth), content_type="application/json")
    assert response.status_code == 400, response.content[:200]
    assert "嵌套过深" in response.json()["detail"] and str(MAX_JSON_DEPTH) in response.json()["detail"]


def test_the_limit_is_64_levels(officer, client_for):
    client = client_for(officer)
    at_limit = client.generic("POST", "/api/v1/reports/", nested(MAX_JSON_DEPTH), content_type="application/json")
    assert at_limit.status_code == 400 and "嵌套过深" not in at_limit.content.decode()  # a field error, not depth
    over = client.generic("POST", "/api/v1/reports/", nested(MAX_JSON_DEPTH + 1), content_type="application/json")
    assert over.status_code == 400 and "嵌套过深" in over.json()["detail"]


def test_brackets_inside_strings_do_not_count(officer, client_for):
    body = json.dumps({"title": "[" * 500 + "{" * 500 + '"\\"[', "category": "natural_disaster"})
    assert not json_too_deep(body)
    response = client_for(officer).generic("POST", "/api/v1/reports/", body, content_type="application/json")
    assert response.status_code != 500 and "嵌套过深" not in response.content.decode()


@st.composite
def json_values(draw, depth):
    """A JSON value nested exactly `depth` levels (arrays and objects mixed), with
    strings that may carry brackets and escaped quotes."""
    leaf = draw(st.one_of(st.integers(), st.text(alphabet='[]{}"\\ab', max_size=6), st.none(), st.booleans()))
    value = leaf
    for _ in range(depth):
        value = [value] if draw(st.booleans()) else {draw(st.text(alphabet='[]{}"ab', max_size=3)): value}
    return value


def depth_of(value):
    if isinstance(value, list):
        return 1 + max((depth_of(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((depth_of(v) for v in value.values()), default=0)
    return 0


@given(depth=st.integers(min_value=0, max_value=150), data=st.data())
@settings(max_examples=200, deadline=None)
def test_depth_count_agrees_with_the_parsed_value(depth, data):
    value = data.draw(json_values(depth))
    text = json.dumps(value)
    assert json_too_deep(text) == (depth_of(value) > MAX_JSON_DEPTH)


@given(depth=st.integers(min_value=1, max_value=3000))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_depth_is_answered_never_a_500(officer, client_for, depth):
    response = client_for(officer).generic("POST", "/api/v1/reports/", nested(depth), content_type="application/json")
    assert response.status_code == 400
    assert ("嵌套过深" in response.content.decode()) == (depth > MAX_JSON_DEPTH)


# --- text that shows nothing -------------------------------------------------------------


@given(st.text(alphabet=st.sampled_from(sorted("".join(INVISIBLE) + " \t\n\u3000\u00a0\u2028")), min_size=1))
def test_only_invisible_characters_show_nothing(value):
    assert visible.shows_nothing(value)
    assert visible.strip_invisible(value) == ""


@given(
    st.text(alphabet=st.sampled_from(sorted("".join(INVISIBLE)))),
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1).filter(
        lambda t: any(not visible.is_invisible(c) for c in t)
    ),
    st.text(alphabet=st.sampled_from(sorted("".join(INVISIBLE)))),
)
def test_any_visible_character_makes_it_text(before, middle, after):
    value = before + middle + after
    assert not visible.shows_nothing(value)
    visible.refuse_invisible(value)  # no error
    assert serializers.CharField().run_validation(value) == value.strip()


@given(st.text(alphabet=st.sampled_from(sorted("".join(INVISIBLE))), min_size=1).filter(str.strip))
def test_every_text_field_refuses_it(value):
    for field in (serializers.CharField(), serializers.CharField(allow_blank=True), serializers.EmailField()):
        with pytest.raises(serializers.ValidationError) as refused:
            field.run_validation(value)
        assert refused.value.detail[0].code == "invisible"
    for field in (forms.CharField(), forms.CharField(required=False)):
        with pytest.raises(forms.ValidationError):
            field.clean(value)


def test_whitespace_keeps_its_usual_meaning():
    with pytest.raises(serializers.ValidationError) as blank:
        serializers.CharField().run_validation("   ")
    assert blank.value.detail[0].code == "blank"
    assert serializers.CharField(allow_blank=True).run_validation("  ") == ""
    assert forms.CharField(required=False).clean("  ") == ""


def _project_serializers():
    for app in apps.get_app_configs():
        if not app.path.startswith(str(visible.__file__).rsplit("/dutyops/", 1)[0]) or "/.venv/" in app.path:
            continue
        for name in ("serializers", "views", "api"):
            try:
                module = importlib.import_module(f"{app.name}.{name}")
            except ModuleNotFoundError:
                continue
            for _n, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, serializers.Serializer) and cls.__module__ == module.__name__:
                    yield cls


def test_every_writable_text_field_of_every_serializer_refuses_it():
    """Walks the project's serializers: each writable text field (declared, generated
    from a model, or a list's child) answers a zero-width title with the field message."""
    checked = 0
    for cls in _project_serializers():
        try:
            fields = cls().fields
        except Exception:  # noqa: BLE001,S112 - a serializer that needs a context to build its fields
            continue
        for name, field in fields.items():
            if field.read_only:
                continue
            target = field.child if isinstance(field, serializers.ListField) else field
            if not isinstance(target, serializers.CharField):
                continue
            with pytest.raises(serializers.ValidationError) as refused:
                target.run_validation("\u200b\ufeff")
            assert refused.value.detail[0].code == "invisible", (cls, name)
            checked += 1
    assert checked > 50  # the walk found the project's text fields


def _report(title):
    return {"title": title, "category": "natural_disaster"}


@pytest.mark.parametrize("value", INVISIBLE)
def test_a_report_titled_with_nothing_visible_is_a_400_field_message(officer, client_for, value):
    response = client_for(officer).post("/api/v1/reports/", _report(value), format="json")
    assert response.status_code == 400, response.content
    assert "title" in response.json()


@pytest.mark.parametrize(
    ("url", "payload", "field"),
    [
        ("/api/v1/people/", {"username": "zw", "password": "pw-12345678", "full_name": "\u200b"}, "full_name"),
        ("/api/v1/departments/", {"code": "ZW", "name": "\ufeff\u200b"}, "name"),
        ("/api/v1/notification-channels/", {"name": "\u202e", "kind": "sms", "url": "https://x.example/"}, "name"),
    ],
)
def test_admin_create_paths_refuse_it(admin_user, client_for, url, payload, field):
    response = client_for(admin_user).post(url, payload, format="json")
    assert response.status_code == 400 and field in response.json(), response.content


def test_supervision_and_duty_log_refuse_it(officer, client_for, make_person, department):
    from duty import services as duty_services

    client = client_for(officer)
    leader = make_person("leader")
    case = client.post(
        "/api/v1/supervision/",
        {
            "title": "\u200b",
            "content": "\u2060\u2060",
            "responsible_leader": leader.pk,
            "deadline": (timezone.now() + dt.timedelta(days=3)).isoformat(),
        },
        format="json",
    )
    assert case.status_code == 400 and {"title", "content"} <= set(case.json())
    now = timezone.now()
    shift = duty_services.create_shift(
        duty_room=department,
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=8),
        officers=[officer],
    )
    log = client.post(f"/api/v1/shifts/{shift.pk}/log/", {"kind": "instruction", "text": "\ufeff"}, format="json")
    assert log.status_code == 400 and "text" in log.json()


def test_an_update_refuses_it_too(admin_user, client_for, officer):
    response = client_for(admin_user).patch(f"/api/v1/people/{officer.pk}/", {"full_name": "\u200d"}, format="json")
    assert response.status_code == 400 and "full_name" in response.json()
    officer.refresh_from_db()
    assert officer.full_name != "\u200d"


def test_an_admin_form_refuses_it(make_person, client):
    client.force_login(make_person("admin", is_staff=True, is_superuser=True))
    response = client.post("/admin/alerts/webhooktarget/add/", {"host": "\u200b\u200b", "note": "", "port": ""})
    assert response.status_code == 200  # the form again, with its error
    assert "不可见字符" in response.content.decode()
    from alerts.models import WebhookTarget

    assert not WebhookTarget.objects.exists()
