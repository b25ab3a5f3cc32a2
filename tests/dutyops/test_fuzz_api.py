"""Schemathesis over every operation of /api/schema/: no 5xx, responses match the schema.

A bounded run (a few examples per operation) against the real Django app on the
demo data, as an admin. Any 500 it finds is a bug: bad input must be a 4xx.
"""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from tests.conftest import token_for

MAX_EXAMPLES = 6
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def api_schema(demo):
    # As Django's test client does: keep the test's connection open across requests.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/schema/", WSGIHandler())
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def admin_token(db):
    from dutyops.models import Person

    return token_for(Person.objects.get(username="admin"))


def test_no_operation_errors_or_breaks_its_schema(api_schema, admin_token):
    failures = []
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            with transaction.atomic():  # each example starts from the demo data
                response = case.call(headers={"Authorization": f"Token {admin_token}"})
                transaction.set_rollback(True)
            case.validate_response(response, checks=CHECKS)

        try:
            check()
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - collect them all, then fail once
            failures.append(f"{operation.label}: {str(exc).strip()[:1500]}")
    assert not failures, f"{len(failures)} operations failed:\n\n" + "\n\n".join(failures)
