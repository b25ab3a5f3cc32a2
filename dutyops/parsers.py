"""Request parsers (a module of its own: DRF imports it while loading its settings)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers


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
        try:
            data = super().parse(stream, media_type, parser_context)
        except exceptions.ParseError as exc:
            # DRF's message is English only; keep its where-and-what after ours.
            reason = str(exc.detail).removeprefix("JSON parse error - ")
            raise exceptions.ParseError(_("请求体不是有效的 JSON：%(reason)s") % {"reason": reason}) from exc
        if not isinstance(data, dict):
            raise exceptions.ParseError(_("请求体必须是 JSON 对象。"))
        if _has_lone_surrogate(data):
            raise exceptions.ParseError(_("请求体含有无效的 Unicode 字符。"))
        return data
