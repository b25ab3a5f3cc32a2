"""Reads of the event stream, filtered by what a person may see."""

from .models import Event


def _visible(user):
    """Events `user` may see: staff every one, a liaison its department's."""
    if user.sees_everything:
        return Event.objects.all()
    if user.department_id is None:
        return Event.objects.none()
    return Event.objects.filter(audience__department_id=user.department_id)


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
