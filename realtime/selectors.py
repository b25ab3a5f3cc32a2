"""Reads of the event stream, filtered by what a person may see."""

from django.db.models import Q

from dutyops import policy

from . import events
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


def incident_level_types():
    """The declared types that reach whoever may see their incident (dutyops.policy)."""
    return [t for t in events.all_types() if policy.reaches_incident(t)]


def readable(user, queryset):
    """`queryset` (events of incidents `user` may see, such as one incident's timeline)
    narrowed to what `user` may read there: every event for the jurisdiction-wide
    readers; else the incident-level events, and the others (an alert's, its feedback,
    a supervision case, a room's log) only when their audience holds one of the
    person's rooms. Never another department's alert because it is on the same incident."""
    rooms = policy.stream_rooms(user)
    if rooms is None:
        return queryset
    own = EventAudience.objects.filter(department_id__in=rooms).values("event_id")
    return queryset.filter(Q(type__in=incident_level_types()) | Q(seq__in=own))


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
