import os
from importlib import import_module

from django.core.management.base import BaseCommand

# Each domain seeds its own demo data, in dependency order; each is idempotent.
SEEDERS = ["dutyops.seed", "incidents.seed", "plans.seed", "alerts.seed", "dutyops.seed_duty"]


class Command(BaseCommand):
    help = "Load the demo jurisdiction (idempotent: safe to run on every start)."

    def handle(self, *args, **options):
        for name in SEEDERS:
            try:
                module = import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name != name:
                    raise
                continue
            module.seed()
        from dutyops.seed import kiosk_url, logins

        self.stdout.write("演示账号 / demo logins:")
        for username, password, full_name in logins():
            self.stdout.write(f"  {username:<16} {password:<12} {full_name}")
        base = f"http://{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
        self.stdout.write(f"指挥大屏免登录链接 / wall board kiosk link: {kiosk_url(base)}")
