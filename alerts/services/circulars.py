"""Monthly circulars (通报): the month's figures per department, generated once."""

from django.db import transaction
from django.utils import timezone

from accountability import selectors as accountability
from realtime.services import emit

from .. import selectors
from ..models import Circular


@transaction.atomic
def generate_circular(period, actor=None):
    """The month's circular: figures per department, praise and criticism. Generated once."""
    start, end = selectors.month_bounds(period)
    existing = Circular.objects.filter(period=period).first()
    if existing:
        return existing, False
    rows = selectors.performance(start, end)
    people = accountability.discipline(start, end)  # duty discipline per person (issue 19)
    text = selectors.circular_text(period, rows, people)
    circular = Circular.objects.create(
        period=period,
        figures={"from": start.isoformat(), "to": end.isoformat(), "departments": rows, "people": people},
        text=text,
        generated_at=timezone.now(),
        generated_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    emit("circular.generated", {"id": circular.pk, "period": period}, actor=actor)
    return circular, True
