from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import gettext_lazy as _


class DutyopsConfig(AppConfig):
    name = "dutyops"
    verbose_name = _("值班值守")

    def ready(self):
        from . import text

        text.install()  # every text field refuses text that shows nothing (issue 16)

        from django.contrib.auth.models import Group
        from rest_framework.authtoken.models import Token

        from .authentication import tokens
        from .models import Person

        # Any change to a token, its owner or roles applies to the next request.
        for model in (Token, Person, Group):
            post_save.connect(tokens.clear, sender=model, dispatch_uid=f"dutyops.tokens.save.{model.__name__}")
            post_delete.connect(tokens.clear, sender=model, dispatch_uid=f"dutyops.tokens.delete.{model.__name__}")
        m2m_changed.connect(tokens.clear, sender=Person.groups.through, dispatch_uid="dutyops.tokens.roles")
