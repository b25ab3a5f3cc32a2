"""The one way to record a state change on the live stream: emit()."""

import json
import logging
from contextlib import contextmanager

from django.db import connection, transaction
from django.utils import timezone

from dutyops import policy

from . import events, trace
from .broadcast import broadcast
from .models import Event, EventAudience
from .wire import EventEncoder, message

log = logging.getLogger(__name__)

# Any constant works; it only has to be the same for every writer.
_PG_SEQ_LOCK = 0x44555459  # "DUTY"


class _Pending:
    """An emitted event until it is appended; after commit, its broadcast.

    It is registered with transaction.on_commit at emit time, so a savepoint
    rolled back after the emit drops it exactly as Django drops the hook.
    """

    __slots__ = ("event", "data_json", "departments", "followers", "message", "stamps")

    def __init__(self, event, data_json, departments, followers, stamps=None):
        self.event, self.data_json, self.message = event, data_json, None
        self.departments, self.followers, self.stamps = departments, followers, stamps

    def __call__(self):
        if self.stamps is not None:  # realtime/trace.py: only when tracing
            trace.stamp(self.stamps, "commit")
            self.message["trace"] = self.stamps
        broadcast(self.message)


def lock_stream():
    """Take the stream's append lock, held until the transaction ends.

    Appends take it (see Event.seq); a write that then locks rows may take it
    first, so that every writer locks in one order (stream, then rows). On
    SQLite every write transaction is IMMEDIATE, which serialises the same way.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_SEQ_LOCK])


def _insert(cursor, model, columns, rows, returning=None):
    """One multi-row INSERT (PostgreSQL and SQLite both return rows in VALUES order)."""
    values = ", ".join([f"({', '.join(['%s'] * len(columns))})"] * len(rows))
    sql = f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) VALUES {values}"
    cursor.execute(f"{sql} RETURNING {returning}" if returning else sql, [v for row in rows for v in row])
    return [row[0] for row in cursor.fetchall()] if returning else None


def _append(pending):
    """Write events in one go. The lock serialises appends until commit
    (see Event.seq), so what follows it is kept short: a read and two plain
    INSERTs (the ORM's bulk_create took three times as long).

    The read (who follows the incidents, policy.followers) stays under the lock,
    on purpose. An incident's followers change in writes that emit: an alert to a
    new department (alert.created), a transfer to another room. Such a writer
    holds this lock from its own append until it commits. Looked up before the
    lock, our read could miss a follower that a writer still ahead of us is about
    to commit: its event would come before ours in the stream, yet ours would not
    reach that department (stored in EventAudience, so not on replay either).
    Under the lock every writer ahead of us has committed, and each statement
    reads what is committed (READ COMMITTED; SQLite's writes are serial), so an
    event reaches every department following its incident as of its place in
    the stream. The lookup is one or two indexed reads by incident id.
    """
    lock_stream()
    at = timezone.now()
    # Under the lock, not before it: see the docstring.
    followers = policy.followers({p.event.incident_id for p in pending if p.followers and p.event.incident_id})
    stamp = connection.ops.adapt_datetimefield_value(at)
    rows = [(p.event.type, stamp, p.data_json, p.event.actor_id, p.event.incident_id) for p in pending]
    audiences = []
    with connection.cursor() as cursor:
        seqs = _insert(cursor, Event, ("type", "at", "data", "actor_id", "incident_id"), rows, returning="seq")
        for p, seq in zip(pending, seqs, strict=True):
            p.event.seq, p.event.at = seq, at
            p.event._state.adding, p.event._state.db = False, connection.alias
            audience = policy.event_audience(p.event.type, p.departments, followers.get(p.event.incident_id, ()))
            audiences += [(seq, d) for d in audience]
            p.message = message(seq, p.event.type, at, p.event.data, audience)
        if audiences:
            _insert(cursor, EventAudience, ("event_id", "department_id"), audiences)


def emit(type, data, *, actor=None, incident_id=None, departments=(), new_incident=False):
    """Append an event inside the caller's transaction and broadcast it after commit.

    Call it as the last write of the change it records, or inside
    events_at_end(): appends are serialised until commit (see Event.seq),
    which keeps the stream's order equal to commit order. `type` and the fields
    of `data` must be declared in realtime/events.py (EventSchemaError otherwise).
    `departments` (ids) widens the audience to those departments (dutyops.policy
    says who sees what); for an incident-level type (policy.INCIDENT_EVENTS) the
    departments that may see the incident (policy.followers) are added, never for
    an alert's or a case's; new_incident=True (created in this transaction, so
    without followers beyond the rooms the write names) spares looking them up.
    """
    events.check(type, data)
    data_json = json.dumps(data, cls=EventEncoder)
    data = json.loads(data_json)  # what readers of the table will get
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    event = Event(type=type, data=data, actor=actor, incident_id=incident_id)
    # Only an incident-level event reaches those following its incident (dutyops.policy).
    stamps = trace.current()
    if stamps is not None:
        stamps = dict(stamps)  # one request may emit several events
        trace.stamp(stamps, "emit")
    pending = _Pending(event, data_json, departments, not new_incident and policy.reaches_incident(type), stamps)
    # No savepoint of its own: if the append fails, the caller's change must fail with it.
    with transaction.atomic(savepoint=False):
        transaction.on_commit(pending)
        queued = getattr(connection, "dutyops_events_at_end", None)
        if queued is not None:
            queued.append(pending)
        else:
            _append([pending])
    return pending.event


@contextmanager
def events_at_end():
    """Hold back the events emitted inside and append them together when the
    block ends. Wrap a whole write (inside its transaction, as its last step)
    whose events come before slow work, such as intake before plan matching:
    the append lock is then held from the end of the block to commit only."""
    if getattr(connection, "dutyops_events_at_end", None) is not None:
        yield  # an outer block appends them
        return
    if not connection.in_atomic_block:
        raise transaction.TransactionManagementError("events_at_end() needs the write's transaction around it")
    queued = connection.dutyops_events_at_end = []
    try:
        yield
    finally:
        connection.dutyops_events_at_end = None
    # Drop events whose savepoint was rolled back: Django dropped their hooks.
    hooks = {id(hook) for _, hook, _ in connection.run_on_commit}
    alive = [p for p in queued if id(p) in hooks]
    if alive:
        _append(alive)
