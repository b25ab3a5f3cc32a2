"""Fixtures of the access-policy tables (test_policy*.py): the demo's people by role,
an API client signed in as each, a proposed activation to act on."""

import pytest
from rest_framework.test import APIClient

from tests.conftest import token_for
from tests.dutyops.roles import _people


@pytest.fixture(scope="module")
def people(demo, django_db_blocker):
    from dutyops.models import Department, Person

    with django_db_blocker.unblock():
        return _people(Department, Person)


@pytest.fixture
def activation(db, people):
    """A proposed activation of a plan on a duty office incident: the activation rows act on it."""
    from incidents.models import Incident
    from plans import services as plans
    from plans.models import Plan

    incident = Incident.objects.filter(status__in=["received", "verifying", "responding"]).order_by("pk").first()
    plan = Plan.objects.filter(status="issued").order_by("pk").first()
    level = plan.levels[-1]["level"]
    return plans.propose_activation(incident, plan, level, people["duty_officer"])


@pytest.fixture
def clients(db, people):
    out = {"anonymous": APIClient()}
    for role, person in people.items():
        out[role] = APIClient()
        out[role].credentials(HTTP_AUTHORIZATION=f"Token {token_for(person)}")
    return out


@pytest.fixture(scope="module")
def scope_world(demo, django_db_blocker):
    """The scope matrix's world (tests/dutyops/matrix.py), with the office's people beside
    the units' (test_policy_scope.py asks without them and overrides this)."""
    from tests.dutyops.matrix import world_once

    return world_once(django_db_blocker, office=True)


@pytest.fixture
def scoped_clients(db, scope_world):
    from tests.dutyops.matrix import clients_of

    return clients_of(scope_world[0])
