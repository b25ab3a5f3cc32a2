"""A payload for any declared event type, for the tests that emit every type
(test_policy_events.py, test_policy_scope_events.py)."""

import dataclasses
import typing

from realtime import events

_PLACEHOLDERS = {int: 1, str: "x", bool: False, list: [], float: 0.0}


def sample(type_):
    """A payload of every declared field: defaults where there are, placeholders for the required."""
    data = {}
    for f in dataclasses.fields(events.declared(type_).payload):
        if f.default is not dataclasses.MISSING:
            value = f.default
        elif f.default_factory is not dataclasses.MISSING:
            value = f.default_factory()
        else:
            kinds = [k for k in typing.get_args(f.type) or (f.type,) if k is not type(None)]
            value = _PLACEHOLDERS.get(kinds[0]) if kinds else None
        data[f.metadata.get("key", f.name)] = value
    return data
