"""What the duty domain needs from the domains above it, without importing them.

Duty sits below incidents and alerts (docs/architecture.md); they register their
answers at ready() (incidents/apps.py, alerts/apps.py). With none registered the
duty domain works on: a handover carries no incident items, the log no intakes.
"""

from dutyops.providers import Providers

# fn(duty_room: Department) -> [{"kind", "id", "title", "due_at"}]: the open items
# a handover of that room carries (open incidents, unanswered alerts, clocks).
handover_items = Providers("handover items", tolerant=True)

# fn(duty_room: Department, start, end) -> [log row]: what the room registered in
# [start, end) beyond its own log entries (the duty office: every report intake).
log_rows = Providers("duty log rows", tolerant=True)

# fn(incident_id) -> True/False, or None when the provider does not know it.
incident_exists = Providers("incident exists")
