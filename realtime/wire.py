"""The wire form of an event: `{seq, type, at, data}` (CONTRACT.md), with the
human line `data.summary` (and any fields its type registers with
`events.fields`) rendered for the reader's language.

Fan-out renders and frames once per language per event, never per socket:
`Rendered` keeps the JSON text of an event's data and splices each language's
rendered fields and summary into it (one string join), so a thousand sockets reading Chinese cost
one rendering, and an English reader one more.
"""

import datetime
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone, translation

from . import events

# The channel-layer group every process's hub listens on.
GROUP = "dutyops.events"


class EventEncoder(DjangoJSONEncoder):
    """Datetimes in event data read like `at`: ISO 8601 in the configured zone."""

    def default(self, o):
        if isinstance(o, datetime.datetime) and timezone.is_aware(o):
            return timezone.localtime(o).isoformat()
        return super().default(o)


def with_summary(type_, data):
    """The data a reader gets: the payload and its summary in the active language."""
    if "summary" in data:  # stored before issue 15: shown as written
        return data
    return {**data, **events.rendered_fields(type_, data), "summary": events.describe(type_, data)}


def envelope(event):
    """The wire form of a stored event, in the active language (HTTP, replay, timelines)."""
    return {
        "seq": event.seq,
        "type": event.type,
        "at": timezone.localtime(event.at).isoformat(),
        "data": with_summary(event.type, event.data),
    }


def encode(envelope_dict):
    return json.dumps(envelope_dict, ensure_ascii=False, separators=(",", ":"))


def message(seq, type_, at, data, audience):
    """What is broadcast to every process's hub after commit (language-free)."""
    return {"seq": seq, "type": type_, "at": timezone.localtime(at).isoformat(), "data": data, "audience": audience}


def message_of(event, audience):
    return message(event.seq, event.type, event.at, event.data, audience)


class Rendered:
    """One event's wire text per language, each built once."""

    __slots__ = ("message", "_head", "_data_json", "_texts")

    def __init__(self, msg):
        self.message = msg
        data = msg["data"]
        self._head = f'{{"seq":{msg["seq"]},"type":{json.dumps(msg["type"])},"at":"{msg["at"]}","data":'
        self._data_json = None if "summary" in data else encode(data)
        self._texts = {}

    def text(self, language):
        found = self._texts.get(language)
        if found is None:
            found = self._texts[language] = self._build(language)
        return found

    def _build(self, language):
        msg = self.message
        if self._data_json is None:  # a stored summary: the same text for every language
            return self._head + encode(msg["data"]) + "}"
        with translation.override(language):
            extra = events.rendered_fields(msg["type"], msg["data"])
            summary = events.describe(msg["type"], msg["data"])
        tail = "".join(f",{encode(k)}:{encode(v)}" for k, v in extra.items()) + ',"summary":' + encode(summary)
        data_json = self._data_json
        joined = "{" + tail[1:] + "}" if data_json == "{}" else data_json[:-1] + tail + "}"
        return self._head + joined + "}"
