"""The one way to record a state change on the live stream: emit()."""

import datetime
import json
import logging

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from .broadcast import broadcast
from .models import Event, EventAudience

log = logging.getLogger(__name__)

# Any constant works; it only has to be the same for every writer.
_PG_SEQ_LOCK = 0x44555459  # "DUTY"


class EventEncoder(DjangoJSONEncoder):
    """Datetimes in event data read like `at`: ISO 8601 in the configured zone."""

    def default(self, o):
        if isinstance(o, datetime.datetime) and timezone.is_aware(o):
            return timezone.localtime(o).isoformat()
        return super().default(o)


def envelope(event):
    """The wire form of an event, the same over WebSocket and HTTP."""
    return {
        "seq": event.seq,
        "type": event.type,
        "at": timezone.localtime(event.at).isoformat(),
        "data": event.data,
    }


def encode(envelope_dict):
    return json.dumps(envelope_dict, ensure_ascii=False, separators=(",", ":"))


def _incident_departments(incident_id):
    """Departments with alerts on this incident: their liaisons may follow it."""
    if incident_id is None:
        return set()
    try:
        alert_model = apps.get_model("alerts", "Alert")
    except LookupError:
        return set()
    return set(alert_model.objects.filter(incident_id=incident_id).values_list("department_id", flat=True))


def emit(type, data, *, actor=None, incident_id=None, departments=()):
    """Append an event inside the caller's transaction and broadcast it after commit.

    Call it as the last write of the change it records: appends are
    serialised until commit (see Event.seq), which keeps the stream's order
    equal to commit order. `departments` (ids) widens the audience to those
    departments' liaisons; staff roles see every event.
    """
    data = json.loads(json.dumps(data, cls=EventEncoder))
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    # No savepoint of its own: if the append fails, the caller's change must fail with it.
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_SEQ_LOCK])
        # On SQLite every write transaction is IMMEDIATE, which serialises the same way.
        event = Event.objects.create(type=type, at=timezone.now(), data=data, actor=actor, incident_id=incident_id)
        audience = sorted(set(departments) | _incident_departments(incident_id))
        if audience:
            EventAudience.objects.bulk_create([EventAudience(event=event, department_id=d) for d in audience])
        message = {"seq": event.seq, "payload": encode(envelope(event)), "audience": audience}
        transaction.on_commit(lambda: broadcast(message))
    return event
