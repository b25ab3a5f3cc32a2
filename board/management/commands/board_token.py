"""Create (or show) the wall screen's read-only account and its long-lived token."""

from django.core.management.base import BaseCommand
from rest_framework.authtoken.models import Token

from dutyops.models import Person, Role


class Command(BaseCommand):
    help = "Create or show the read-only board account and print its kiosk URL (/board/?token=...)."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="board")
        parser.add_argument("--rotate", action="store_true", help="print a new token, revoking the old one")
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")

    def handle(self, username, rotate, base_url, **options):
        person, created = Person.objects.get_or_create(
            username=username, defaults={"full_name": "指挥大屏", "is_active": True}
        )
        if created:
            person.set_unusable_password()  # the token is its only way in
            person.save()
        person.set_roles([Role.BOARD])
        if rotate:
            Token.objects.filter(user=person).delete()
        token, _ = Token.objects.get_or_create(user=person)
        self.stdout.write(f"{base_url.rstrip('/')}/board/?token={token.key}")
