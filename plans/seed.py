"""Demo plan library for 临江市: one YAML file per plan in plans/library/,
loaded through the same importer as `manage.py import_plans`. Idempotent:
plans whose code already exists are left as they are (they may have been
revised since)."""

from pathlib import Path

from django.db import transaction

from . import services
from .models import Plan

# seed_demo runs the apps' seeds in this order (dutyops/management/commands/seed_demo.py).
ORDER = 30

LIBRARY = Path(__file__).resolve().parent / "library"


@transaction.atomic
def seed():
    existing = set(Plan.objects.values_list("code", flat=True))
    missing = [f for f in services.plan_files([LIBRARY]) if f.stem not in existing]
    if missing:
        services.import_files(missing)
    rematch_open_incidents()


def rematch_open_incidents():
    """Incidents registered before the library was loaded get their match (or gap) now."""
    from incidents.models import OPEN_STATUSES, Incident  # noqa: PLC0415

    for incident in Incident.objects.filter(status__in=OPEN_STATUSES).order_by("pk"):
        services.rematch(incident)
