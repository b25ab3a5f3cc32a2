"""Cancel this app's pending timers by exact (kind, key).

dutyops.timers.cancel(key_prefix=...) is a LIKE over every timer ever kept,
which grows with history; exact keys use the (kind, key) unique index.
"""

from django.utils import timezone

from dutyops.models import Timer


def cancel_keys(condition):
    """Cancel pending timers matching `condition` (a Q on exact kinds and keys)."""
    return Timer.objects.filter(condition, fired_at__isnull=True, cancelled_at__isnull=True).update(
        cancelled_at=timezone.now()
    )
