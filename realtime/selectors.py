"""Reads of the event stream, filtered by what a person may see."""

from dutyops import policy

from .models import Event, EventAudience


def _visible(user):
    """Events `user` may see (dutyops.policy, "event.view"): every one, or those
    whose audience holds a department the person acts for."""
    rooms = policy.stream_rooms(user)
    if rooms is None:
        return Event.objects.all()
    if not rooms:
        return Event.objects.none()
    if len(rooms) == 1:
        return Event.objects.filter(audience__department_id=next(iter(rooms)))
    return Event.objects.filter(seq__in=EventAudience.objects.filter(department_id__in=rooms).values("event_id"))


def visible_events(user, after=0, limit=500):
    """Events after `after` that `user` may see, oldest first."""
    return list(_visible(user).filter(seq__gt=after).order_by("seq")[:limit])


def count_visible_events(user, after=0):
    return _visible(user).filter(seq__gt=after).count()


def latest_visible_events(user, limit):
    """The newest `limit` events `user` may see, oldest first."""
    return list(_visible(user).order_by("-seq")[:limit])[::-1]


def latest_seq():
    return Event.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def events_after(after, limit):
    return list(Event.objects.filter(seq__gt=after).order_by("seq").prefetch_related("audience")[:limit])
