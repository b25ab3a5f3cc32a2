"""The statutory reporting line of the demo jurisdiction (editable data): the
higher-level duty office for every category, and the line department of each."""

from django.db import transaction

from .models import Recipient

# seed_demo runs the apps' seeds in ORDER (after the incidents' reference data).
ORDER = 25

# name, kind, category ("" = every category), required
LINE = [
    ("省人民政府总值班室", Recipient.Kind.DUTY_OFFICE, "", True),
    ("省应急管理厅", Recipient.Kind.LINE_DEPARTMENT, "natural_disaster", True),
    ("省应急管理厅", Recipient.Kind.LINE_DEPARTMENT, "accident_disaster", True),
    ("省卫生健康委员会", Recipient.Kind.LINE_DEPARTMENT, "public_health", True),
    ("省公安厅", Recipient.Kind.LINE_DEPARTMENT, "social_security", True),
]


@transaction.atomic
def seed():
    for order, (name, kind, category, required) in enumerate(LINE):
        Recipient.objects.get_or_create(
            name=name, category=category, defaults={"kind": kind, "required": required, "order": order}
        )
