"""Request parsers (a module of its own: DRF imports it while loading its settings)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers


class ObjectJSONParser(parsers.JSONParser):
    """Every request body of this API is a JSON object; anything else is a 400,
    so no view ever meets a bare number or list where it expects fields."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if not isinstance(data, dict):
            raise exceptions.ParseError(_("请求体必须是 JSON 对象。"))
        return data
