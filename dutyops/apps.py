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

        from . import credentials
        from .authentication import forget_tokens, tokens
        from .models import ApiToken, Department, Person

        # Any change to a token, its owner, their department or roles applies to the next
        # request: the tokens read from the row edited are forgotten (a role: all of them).
        for model in (ApiToken, Person, Department, Group):
            post_save.connect(forget_tokens, sender=model, dispatch_uid=f"dutyops.tokens.save.{model.__name__}")
            post_delete.connect(forget_tokens, sender=model, dispatch_uid=f"dutyops.tokens.delete.{model.__name__}")
        m2m_changed.connect(tokens.clear, sender=Person.groups.through, dispatch_uid="dutyops.tokens.roles")

        from .policy import offices

        # A department's kind decides who is in the duty office (policy.in_office).
        post_save.connect(offices.clear, sender=Department, dispatch_uid="dutyops.offices.save")
        post_delete.connect(offices.clear, sender=Department, dispatch_uid="dutyops.offices.delete")
        credentials.connect()

        from django.db.models import Q

        from . import policy

        # A person belongs to their department (a room's duty leader manages its own people).
        policy.relations.register(
            Person,
            departments=lambda person: {person.department_id},
            query=lambda ids: Q(department_id__in=ids),
        )
