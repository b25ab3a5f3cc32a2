"""Create the wall screen's read-only account and its long-lived token, or rotate it."""

from django.core.management.base import BaseCommand

from dutyops.credentials import rotate_kiosk_token
from dutyops.models import ApiToken, Person, Role


class Command(BaseCommand):
    help = (
        "Create the read-only board account and print its kiosk URL (/board/?token=...). Tokens are "
        "stored hashed and shown once: --rotate prints a new one and ends the old one, its kiosk "
        "sessions and its open sockets."
    )

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
            key = rotate_kiosk_token(person)
        elif ApiToken.objects.filter(user=person).exists():
            self.stderr.write(
                "该大屏账号已有令牌（仅在签发时显示）；--rotate 签发新令牌并作废旧令牌。 / "
                "This board already has a token (shown only when issued); --rotate issues a new one."
            )
            return
        else:
            key = ApiToken.issue(person)[1]
        self.stdout.write(f"{base_url.rstrip('/')}/board/?token={key}")
