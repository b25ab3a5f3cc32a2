"""Issue 16: an alert's, its feedback's and a supervision case's events reach the
alert's (the case's) departments and the office, never another department because
it has its own alert on the same incident. Until now every event of an incident was
stored with every alerted department in its audience; this recomputes the stored
audience of the old events that are not incident-level: their rows for departments
the write did not name are removed (dutyops.policy.event_audience).

The audience is append-only (0002): on PostgreSQL the guard is lifted for this one
statement, inside the migration's transaction, by the tables' owner (migrations run
as the owner; the application's role cannot, grant_app_role). Nothing else is touched:
the events themselves, and the audience of incident-level events, stay as they are.
Frozen here on purpose (a migration must not follow later code).
"""

from django.db import migrations

# dutyops.policy.INCIDENT_EVENTS as of this migration.
INCIDENT_EVENTS = (
    "incident.",
    "report.",
    "instruction.",
    "activation.",
    "plan.activated",
    "plan.level_changed",
    "plan.terminated",
    "plan.matched",
)
TRIGGER = "realtime_eventaudience_append_only"


def _named(type_, data):
    """The departments the write named, as far as the payload tells; None: unknown (kept)."""
    try:
        if type_.startswith("alert."):
            return {int(data["department"])}
        if type_.startswith("supervision."):
            return {int(d) for d in data["departments"]}
        if type_ == "dutylog.added":
            return {int(data["duty_room"])}
        if type_ == "classified.delivered":
            return set()
    except (KeyError, TypeError, ValueError):
        return None
    return None


def forward(apps, schema_editor):
    Event = apps.get_model("realtime", "Event")
    EventAudience = apps.get_model("realtime", "EventAudience")
    db = schema_editor.connection.alias
    named = {}
    events = Event.objects.using(db).filter(incident_id__isnull=False).values_list("seq", "type", "data")
    for seq, type_, data in events.order_by("seq").iterator(chunk_size=2000):
        if not type_.startswith(INCIDENT_EVENTS):
            found = _named(type_, data if isinstance(data, dict) else {})
            if found is not None:
                named[seq] = found
    extra, seqs = [], sorted(named)
    for start in range(0, len(seqs), 1000):
        rows = EventAudience.objects.using(db).filter(event_id__in=seqs[start : start + 1000])
        extra += [
            pk
            for pk, seq, department in rows.values_list("pk", "event_id", "department_id")
            if department not in named[seq]
        ]
    if not extra:
        return
    postgres = schema_editor.connection.vendor == "postgresql"
    with schema_editor.connection.cursor() as cursor:
        if postgres:
            cursor.execute(f"ALTER TABLE realtime_eventaudience DISABLE TRIGGER {TRIGGER}")
        for start in range(0, len(extra), 1000):
            chunk = extra[start : start + 1000]
            cursor.execute(f"DELETE FROM realtime_eventaudience WHERE id IN ({', '.join(['%s'] * len(chunk))})", chunk)
        if postgres:
            cursor.execute(f"ALTER TABLE realtime_eventaudience ENABLE TRIGGER {TRIGGER}")


class Migration(migrations.Migration):
    dependencies = [("realtime", "0003_truncate_guard")]
    # The removed rows were a leak; going back does not restore them.
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
