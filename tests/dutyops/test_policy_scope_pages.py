"""The pages on a department's own objects (issue 16): every page with an object in its
address, and every form a page takes (the handover written and signed, the check-in),
for each unit's liaison, duty leader and room duty officer, the other units' and the
office's people, as dutyops.policy answers; and every page searched for what leaks. tests/dutyops/test_policy.py shows each page
to every role on the office's objects (GET); here the object is the department's own.
"""

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from dutyops import policy
from tests.dutyops.endpoints import pages
from tests.dutyops.matrix import ROWS, leaks


def _may(action, on):
    return lambda person, world: policy.may(person, action, world[on])


# page route: (the parameters from the world, what showing it asks). Pages ask the
# policy about the room itself where the API asks about the shift (duty.view on its room).
PAGE_ROWS = {
    "/incidents/{pk}/": ({"pk": "incident"}, _may("incident.view", "incident")),
    "/plans/incident/{incident_id}/": ({"incident_id": "incident"}, _may("incident.view", "incident")),
    "/duty/shifts/{shift_id}/handover/": ({"shift_id": "shift"}, _may("duty.view", "department")),
    "/duty/daily/{department_id}/{day}/": ({"department_id": "department"}, _may("duty.view", "department")),
}
PAGE_SKIPPED = {
    "/plans/{pk}/": "the plan library: every signed-in person reads it",
    "/plans/{pk}/compare/": "the plan library: every signed-in person reads it",
    "/duty/shifts/{shift_id}/check-in/": "a form (POST only): test_the_page_forms_do_what_the_policy_allows",
}


def test_every_object_page_has_a_row_or_a_skip():
    with_object = {route for route in pages() if "{" in route}
    assert with_object - PAGE_ROWS.keys() - PAGE_SKIPPED.keys() == set()
    assert (PAGE_ROWS.keys() | PAGE_SKIPPED.keys()) - with_object == set()


def _url(route, params, world):
    url = route.replace("{day}", timezone.localdate().isoformat())
    for name, kind in params.items():
        url = url.replace("{" + name + "}", str(world[kind].pk))
    return url


@pytest.mark.django_db
def test_every_object_page_in_and_out_of_scope(scope_world):
    people, worlds = scope_world
    client = Client(raise_request_exception=False)
    problems, answers = [], set()
    for route, (params, shows) in sorted(PAGE_ROWS.items()):
        for side, world in worlds.items():
            url = _url(route, params, world)
            for key, person in sorted(people.items()):
                client.force_login(person)
                response = client.get(url)
                code = response.status_code
                expected = shows(person, world)
                if code == 200 and (shown := leaks(person, worlds, response.content.decode())):
                    problems.append(f"GET {route} on the {side} side, as the {key[1]} {key[0]}: shows {shown}")
                answers.add(expected)
                if code >= 500 or (code == 200) != expected or (not expected and code not in (403, 404)):
                    problems.append(f"GET {route} on the {side} side, as the {key[1]} {key[0]}: {code}")
    assert not problems, "\n".join(problems)
    assert answers == {True, False}


# Pages that take a unit or an incident in their query: asked with each unit's.
_ASKING = {
    "/duty/": lambda world: {"department": world["department"].pk},
    "/alerts/console/": lambda world: {"department": world["department"].pk},
    "/alerts/performance/": lambda world: {"department": world["department"].pk},
    "/incidents/intake/": lambda world: {"incident": world["incident"].pk},
}


def _asked(route, worlds):
    """The queries a page is asked with: none, and each unit's where it takes one."""
    return [{}] + ([_ASKING[route](world) for world in worlds.values()] if route in _ASKING else [])


@pytest.mark.django_db
def test_no_page_carries_what_its_reader_may_not_read(scope_world):
    """Every page without an object in its address (the desks, the lists, the roster, the
    registers; asked for each unit where it takes one), as each person: no mark of an
    object the policy does not let them read."""
    people, worlds = scope_world
    client = Client(raise_request_exception=False)
    problems, marked = [], set()
    for route in sorted(r for r in pages() if "{" not in r):
        for key, person in sorted(people.items()):
            client.force_login(person)
            for query in _asked(route, worlds):
                response = client.get(route, query)
                where = f"GET {route}?{query} as the {key[1]} {key[0]}"
                if response.status_code >= 500:
                    problems.append(f"{where}: {response.status_code}")
                elif response.status_code == 200:
                    text = response.content.decode()
                    problems += [f"{where}: shows {w}" for w in leaks(person, worlds, text)]
                    marked |= {route} if "MARK[" in text else set()
    assert not problems, "\n".join(problems)
    assert {"/incidents/", "/alerts/console/"} <= marked, marked  # the marks do show where they may


# --- the forms: what each POST did, against what the policy allows ---------------------------

ROOM_READ = _may("duty.view", "department")


def _handover_written(world, person):
    from duty.models import Handover

    return Handover.objects.filter(from_shift=world["shift"]).exists()


def _handover_signed(world, person):
    from duty.models import Handover

    return Handover.objects.get(from_shift=world["past_shift"]).signed_by_id == person.pk


def _checked_in(world, person):
    from duty.models import CheckIn

    return CheckIn.objects.filter(shift=world["shift"], person=person).exists()


# (page, the shift it is posted on, the form, what the policy allows, what it did)
FORMS = [
    (
        "/duty/shifts/{}/handover/",
        "shift",
        {"note": "交班：无遗留"},
        ROWS[("POST", "/api/v1/shifts/{pk}/handover/")].act,
        _handover_written,
    ),
    (
        "/duty/shifts/{}/handover/",
        "past_shift",
        {"action": "sign", "sign_note": "已接班"},
        ROWS[("POST", "/api/v1/shifts/{pk}/handover/sign/")].act,
        _handover_signed,
    ),
    (
        "/duty/shifts/{}/check-in/",
        "shift",
        {},
        ROWS[("POST", "/api/v1/shifts/{pk}/check-in/")].act,
        _checked_in,
    ),
]


@pytest.mark.django_db
def test_the_page_forms_do_what_the_policy_allows(scope_world):
    """The handover written and signed and the check-in, posted through the pages by each
    scoped person on each department's shifts: done exactly when the policy allows it
    (the API's rows ask the same question); the handover page of a room one may not see is
    a 404, never its form's answer."""
    people, worlds = scope_world
    client = Client(raise_request_exception=False)
    problems, answers = [], {}
    for page, kind, form, allowed, done in FORMS:
        for side, world in worlds.items():
            url = page.format(world[kind].pk)
            for key, person in sorted(people.items()):
                client.force_login(person)
                expected = allowed(person, world, kind)
                answers.setdefault((page, kind), set()).add(expected)
                with transaction.atomic():
                    code = client.post(url, form).status_code
                    did = done(world, person)
                    transaction.set_rollback(True)
                hidden = "handover" in page and not ROOM_READ(person, world)
                where = f"POST {page.format('{id}')} {form} on the {side} {kind}, as the {key[1]} {key[0]}"
                if code >= 500 or (hidden and code != 404) or (not hidden and code != 302):
                    problems.append(f"{where}: {code}")
                if did != expected:
                    problems.append(f"{where}: {'done' if did else 'not done'}, the policy says {expected}")
    assert not problems, "\n".join(problems)
    assert all(seen == {True, False} for seen in answers.values()), answers  # each form: allowed and refused
