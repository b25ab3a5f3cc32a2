import logging
import signal
import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections

from dutyops import timers

log = logging.getLogger("dutyops.worker")


class Command(BaseCommand):
    help = "Background worker: fires due timers (deadlines, reminders, escalations). Run one or several."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=0.5, help="seconds between polls when idle")
        parser.add_argument("--once", action="store_true", help="fire what is due now, then exit")

    def handle(self, *args, interval, once, **options):
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
        log.info("worker started")
        while not stopping:
            try:
                fired = timers.fire_due()
            except DatabaseError as exc:
                log.warning("worker: database unavailable (%s); retrying", exc)
                close_old_connections()
                fired = 0
                time.sleep(min(5, interval * 4))
            if once:
                return
            if not fired:
                time.sleep(interval)
        log.info("worker stopped")
