"""Request parsers (a module of its own: DRF imports it while loading its settings)."""

import re

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers
from rest_framework.utils import json

# No request of this API nests deeper than a few levels (a plan's levels, a
# report's sections); 64 is far beyond any of them and far below Python's
# recursion limit, which a 10,000-level body would otherwise hit (a 500).
MAX_JSON_DEPTH = 64
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


def json_too_deep(text, limit=MAX_JSON_DEPTH):
    """Does JSON text nest arrays/objects deeper than `limit`? Counted on the text,
    strings left out, before any parser recurses into it (linear, no recursion)."""
    if text.count("[") + text.count("{") <= limit:
        return False  # the usual body: too few brackets to nest that deep (counted in C)
    depth = 0
    for bracket in _BRACKET.finditer(_STRING.sub("", text)):
        if bracket.group() in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def _has_lone_surrogate(value):
    """JSON may carry "\\ud800", which is no character at all: it cannot be stored
    or echoed back in an error message, so it is refused at the door."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(v) for v in value)
    return False


class ObjectJSONParser(parsers.JSONParser):
    """Every request body of this API is a JSON object of real text; anything else
    is a 400, so no view ever meets a bare number, a list or broken text."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read().decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise exceptions.ParseError(_("请求体不是有效的 JSON：%(reason)s") % {"reason": exc}) from exc
        if json_too_deep(text):
            raise exceptions.ParseError(_("请求体嵌套过深：最多 %(limit)s 层。") % {"limit": MAX_JSON_DEPTH})
        try:
            data = json.loads(text, parse_constant=json.strict_constant if self.strict else None)
        except (ValueError, RecursionError) as exc:
            # Python's message is English only; keep its where-and-what after ours.
            raise exceptions.ParseError(_("请求体不是有效的 JSON：%(reason)s") % {"reason": exc}) from exc
        if not isinstance(data, dict):
            raise exceptions.ParseError(_("请求体必须是 JSON 对象。"))
        if _has_lone_surrogate(data):
            raise exceptions.ParseError(_("请求体含有无效的 Unicode 字符。"))
        return data
