"""manage.py ensure_admin: the first administrator of a production installation.

Reads DUTYOPS_ADMIN_USERNAME and DUTYOPS_ADMIN_PASSWORD from the environment
(never from the command line) and creates that administrator if no person of
that name exists. It never changes an existing account, so it is safe on every
start. Without the variables it does nothing: `manage.py createsuperuser` is
the other way in.
"""

import os

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from dutyops.models import Department, Person, Role


class Command(BaseCommand):
    help = "Create the first administrator from DUTYOPS_ADMIN_USERNAME / DUTYOPS_ADMIN_PASSWORD, once."

    def handle(self, **options):
        username = os.environ.get("DUTYOPS_ADMIN_USERNAME", "").strip()
        password = os.environ.get("DUTYOPS_ADMIN_PASSWORD", "")
        if not username:
            self.stdout.write("DUTYOPS_ADMIN_USERNAME not set: no administrator created")
            return
        if Person.objects.filter(username=username).exists():
            self.stdout.write(f"{username}: exists, left as it is")
            return
        person = Person(username=username, is_staff=True, is_superuser=True)
        try:
            validate_password(password, person)
        except ValidationError as exc:
            raise CommandError(f"DUTYOPS_ADMIN_PASSWORD: {' '.join(exc.messages)}") from None
        with transaction.atomic():
            person.department = Department.objects.filter(parent=None, kind=Department.Kind.DUTY_OFFICE).first()
            person.set_password(password)
            person.save()
            person.set_roles([Role.ADMIN])
        self.stdout.write(f"{username}: administrator created")
