"""Reads of the event stream, filtered by what a person may see."""

from .models import Event


def visible_events(user, after=0, limit=500):
    """Events after `after` that `user` may see, oldest first."""
    qs = Event.objects.filter(seq__gt=after).order_by("seq")
    if not user.sees_everything:
        if user.department_id is None:
            return []
        qs = qs.filter(audience__department_id=user.department_id)
    return list(qs[:limit])


def count_visible_events(user, after=0):
    qs = Event.objects.filter(seq__gt=after)
    if not user.sees_everything:
        if user.department_id is None:
            return 0
        qs = qs.filter(audience__department_id=user.department_id)
    return qs.count()


def latest_seq():
    return Event.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def events_after(after, limit):
    return list(Event.objects.filter(seq__gt=after).order_by("seq").prefetch_related("audience")[:limit])
