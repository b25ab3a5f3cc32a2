"""Text that shows nothing is no text: one validator for every text field.

A title of zero-width spaces, a BOM, bidi controls or other format characters
looks empty on every screen and in every export, yet passes a "may not be
blank" check. `refuse_invisible` refuses a value that is empty once invisible
characters and whitespace are taken away. `install()` (DutyopsConfig.ready)
puts it on DRF's CharField and Django's forms.CharField, which every serializer
field and form field for text derives from (model-generated or declared, list
children, admin forms), so no create or update path is left without it,
including those added later. Whitespace-only input keeps its usual meaning
("may not be blank", or "" where blank is allowed).
"""

import unicodedata

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import fields as drf_fields
from rest_framework.exceptions import ValidationError

# Categories that draw nothing: format (zero-width, BOM, bidi controls, soft
# hyphen), control, separators (spaces, line and paragraph separators).
INVISIBLE_CATEGORIES = {"Cf", "Cc", "Zs", "Zl", "Zp"}
# Letters and marks that render blank: Hangul fillers, braille blank, the
# combining grapheme joiner, Mongolian vowel separator, halfwidth Hangul filler.
INVISIBLE_EXTRA = set("\u115f\u1160\u3164\uffa0\u2800\u034f\u180e")
MESSAGE = _("不能只含空白或不可见字符（零宽字符、BOM、方向控制符等）。")


def is_invisible(char):
    return char in INVISIBLE_EXTRA or unicodedata.category(char) in INVISIBLE_CATEGORIES


def strip_invisible(value):
    """The value without its invisible characters (for checking, never stored)."""
    return "".join(c for c in value if not is_invisible(c))


def shows_nothing(value):
    """A non-empty text that nothing visible is left of."""
    return isinstance(value, str) and value != "" and not any(not is_invisible(c) for c in value)


def refuse_invisible(value):
    """The shared validator: raises when a non-blank text shows nothing."""
    if isinstance(value, str) and value.strip() and shows_nothing(value):
        raise DjangoValidationError(MESSAGE, code="invisible")


def install():
    """Once per process: every DRF and Django text field refuses text that shows nothing."""
    if getattr(drf_fields.CharField, "_refuses_invisible", False):
        return
    drf_run_validation = drf_fields.CharField.run_validation

    def run_validation(self, data=drf_fields.empty):
        if isinstance(data, str) and data.strip() and shows_nothing(data):
            raise ValidationError(MESSAGE, code="invisible")
        return drf_run_validation(self, data)

    drf_fields.CharField.run_validation = run_validation
    drf_fields.CharField._refuses_invisible = True

    form_to_python = forms.CharField.to_python

    def to_python(self, value):
        value = form_to_python(self, value)
        refuse_invisible(value)
        return value

    forms.CharField.to_python = to_python
    forms.CharField._refuses_invisible = True
