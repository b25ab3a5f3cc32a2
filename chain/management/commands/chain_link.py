"""Link this installation to another one (the demo, the two-installation test; an
administrator does the same in the admin site or through links/).

  up:   manage.py chain_link up --name 临江市人民政府总值班室 --url http://city:8000 \\
            --credential <token the city issued> --issue <token the city calls us with>
  down: manage.py chain_link down --name 芙蓉区 --url http://county:8001 --department LJ-FRQ \\
            --credential <token the county issued> --issue <token the county calls us with>

`--issue` creates (or keeps) the local account standing for the peer, with that
token. down: a duty officer of `--department`, the room the sender's reports come
from (its reports are filed within that room's scope). up: an account of the top
duty office with no role: the higher installation only posts its sign-for to
chain/receipts/ (which asks for the link, not a role); every other endpoint
refuses it (403), and it cannot log in."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from dutyops.models import ApiToken, Department, Person, Role
from dutyops.models.tokens import digest_of

from ...models import Link, Recipient


class Command(BaseCommand):
    help = "Link this installation to a higher (up) or lower (down) installation."

    def add_arguments(self, parser):
        parser.add_argument("direction", choices=["up", "down"])
        parser.add_argument("--name", required=True)
        parser.add_argument("--url", required=True)
        parser.add_argument("--credential", required=True, help="the token the peer issued to us")
        parser.add_argument("--issue", required=True, help="the token the peer calls us with")
        parser.add_argument("--department", help="down: the code of the room standing for the sender")
        parser.add_argument("--categories", default="", help="up: comma-separated categories (empty: all)")

    @transaction.atomic
    def handle(self, *args, direction, name, url, credential, issue, department, categories, **options):
        if direction == "down":
            if not department:
                raise CommandError("down: --department is required")
            room = Department.objects.filter(code=department).first()
            if room is None:
                room = Department.objects.create(
                    code=department,
                    name=name,
                    kind=Department.Kind.DISTRICT,
                    parent=Department.objects.filter(kind=Department.Kind.DUTY_OFFICE, parent=None).first(),
                )
        else:
            room = Department.objects.filter(kind=Department.Kind.DUTY_OFFICE, parent=None).first()
            if room is None:
                room = Department.objects.create(code="CHAIN-OFFICE", name="总值班室", kind=Department.Kind.DUTY_OFFICE)
        roles = [Role.DUTY_OFFICER] if direction == "down" else []
        existing = ApiToken.objects.filter(digest=digest_of(issue)).select_related("user").first()
        if existing:
            account = existing.user
            if direction == "up" and not account.has_usable_password() and account.roles:
                # A system account linked before: no longer a duty officer (a change of
                # roles revokes its tokens: the one the peer calls us with is kept).
                account.set_roles(roles)
                ApiToken.objects.get_or_create(user=account, digest=digest_of(issue), defaults={"prefix": issue[:6]})
        else:
            username = f"link-{direction}-{Person.objects.count() + 1}"
            account = Person.objects.create_user(username=username, full_name=name, department=room)
            account.set_unusable_password()
            account.save()
            account.set_roles(roles)
            ApiToken.objects.create(user=account, digest=digest_of(issue), prefix=issue[:6])
        link, _created = Link.objects.update_or_create(
            name=name,
            direction=direction,
            defaults={
                "url": url,
                "credential": credential,
                "account": account,
                "active": True,
                "categories": [c for c in categories.split(",") if c],
            },
        )
        if direction == "up":
            # The higher installation is this installation's higher duty office: for
            # every category, it replaces the unlinked one; limited to some (the line
            # leaves it out of the others: selectors.on_line), the unlinked one stays
            # for the rest.
            if not link.categories:
                Recipient.objects.filter(kind=Recipient.Kind.DUTY_OFFICE, category="", link__isnull=True).update(
                    active=False
                )
            Recipient.objects.update_or_create(
                name=name,
                category="",
                defaults={"kind": Recipient.Kind.DUTY_OFFICE, "required": True, "link": link, "active": True},
            )
        self.stdout.write(f"link {link.pk} ({direction}) {name} -> {url}; account {account.username}")
