import os
from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.utils.module_loading import module_has_submodule

from dutyops.seed import kiosk_url, logins


def seeders():
    """Every installed app's seed module (a seed() and an ORDER), in ORDER.
    Found by app, not named here: the core does not know the apps above it."""
    found = []
    for app in apps.get_app_configs():
        if module_has_submodule(app.module, "seed"):
            module = import_module(f"{app.name}.seed")
            if callable(getattr(module, "seed", None)):
                found.append(module)
    return sorted(found, key=lambda module: getattr(module, "ORDER", 100))


class Command(BaseCommand):
    help = "Load the demo jurisdiction (idempotent: safe to run on every start)."

    def handle(self, *args, **options):
        for module in seeders():
            module.seed()
        self.stdout.write("演示账号 / demo logins:")
        for username, password, full_name in logins():
            self.stdout.write(f"  {username:<16} {password:<12} {full_name}")
        base = f"http://{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
        url = kiosk_url(base)
        if url:  # shown once: only its digest is stored
            self.stdout.write(f"指挥大屏免登录链接 / wall board kiosk link: {url}")
        else:
            self.stdout.write(
                "指挥大屏免登录链接已签发（仅显示一次）；新链接 / the kiosk link was shown when issued; "
                "a new one: python manage.py board_token --username wallboard --rotate"
            )
