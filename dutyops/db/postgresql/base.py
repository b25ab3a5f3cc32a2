"""PostgreSQL with a small per-process pool of psycopg2 connections.

Under daphne each request runs its sync code in a thread of its own, so
Django's persistent connections (CONN_MAX_AGE) are never reused: every
request would open a connection and make PostgreSQL fork a backend with cold
caches. Here Django's close() parks an idle connection instead, and the next
request takes it. (Django's built-in pool needs psycopg 3; we ship psycopg2.)
"""

import select
import threading
import time

from django.conf import settings
from django.db.backends.postgresql import base, operations
from psycopg2.extensions import TRANSACTION_STATUS_IDLE

# Connections kept idle per database, per process; more are opened when busy.
POOL_SIZE = 16
# An idle connection older than this is checked with a round trip before use
# (PostgreSQL may have restarted meanwhile).
CHECK_AFTER_SECONDS = 5

_lock = threading.Lock()
_idle = {}  # (alias, host, port, dbname, user) -> [(connection, parked_at)]


def _server_hung_up(connection):
    """An idle connection has nothing to read unless the server said goodbye
    (shutdown, restart, idle timeout): one syscall, no round trip."""
    try:
        return bool(select.select([connection.fileno()], [], [], 0)[0])
    except (OSError, ValueError):
        return True


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        """The audit trail refuses TRUNCATE (realtime migration 0003). The test
        suite empties every table between transactional tests; only its settings
        let the flush through (DUTYOPS_TEST_FLUSH_AUDIT_TRAIL)."""
        statements = super().sql_flush(style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        if statements and getattr(settings, "DUTYOPS_TEST_FLUSH_AUDIT_TRAIL", False):
            statements.insert(0, "SET LOCAL dutyops.allow_truncate = 'on'")
        return statements


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    def _pool_key(self, conn_params=None):
        p = conn_params or self.get_connection_params()
        return (self.alias, p.get("host"), p.get("port"), p.get("dbname") or p.get("database"), p.get("user"))

    def get_new_connection(self, conn_params):
        key = self._pool_key(conn_params)
        while True:
            with _lock:
                parked = _idle.get(key)
                item = parked.pop() if parked else None
            if item is None:
                return super().get_new_connection(conn_params)
            connection, parked_at = item
            if connection.closed or _server_hung_up(connection):
                connection.close()
                continue
            if time.monotonic() - parked_at > CHECK_AFTER_SECONDS:
                try:
                    with connection.cursor() as cursor:
                        cursor.execute("SELECT 1")
                except Exception:  # noqa: BLE001 - a dead connection: drop it, try the next
                    connection.close()
                    continue
            return connection

    def _close(self):
        connection = self.connection
        if connection is not None and self._reusable(connection):
            with _lock:
                parked = _idle.setdefault(self._pool_key(), [])
                if len(parked) < POOL_SIZE:
                    parked.append((connection, time.monotonic()))
                    return None
        return super()._close()

    def _reusable(self, connection):
        try:
            return (
                not connection.closed
                and not self.errors_occurred
                and connection.get_transaction_status() == TRANSACTION_STATUS_IDLE
            )
        except Exception:  # noqa: BLE001
            return False

    def close_pool(self):
        """Django calls this before dropping or cloning a test database."""
        super().close_pool()
        with _lock:
            for key in [k for k in _idle if k[0] == self.alias]:
                for connection, _ in _idle.pop(key):
                    connection.close()
