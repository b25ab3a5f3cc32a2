"""The PostgreSQL connection pool (dutyops/db/postgresql): reuse, and no dead connection handed out."""

import time

import psycopg2
import pytest
from django.db import connection

from tests.conftest import database_url_for_subprocess

pytestmark = pytest.mark.postgres


def _backend_pid():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_a_closed_connection_is_parked_and_reused(transactional_db):
    first = _backend_pid()
    connection.close()  # what Django does at the end of every request
    assert _backend_pid() == first  # the next request gets the same backend, warm


def test_a_connection_the_server_dropped_is_never_handed_out(transactional_db):
    doomed = _backend_pid()
    connection.close()
    other = psycopg2.connect(database_url_for_subprocess())
    try:
        other.autocommit = True
        other.cursor().execute("SELECT pg_terminate_backend(%s)", [doomed])
    finally:
        other.close()
    time.sleep(0.2)
    assert _backend_pid() != doomed  # a fresh connection, and no error
