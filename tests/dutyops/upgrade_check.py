"""Run in a subprocess on the upgraded database (DATABASE_URL): the app works on it.
Prints a JSON report; tests/dutyops/test_upgrade.py checks it. Not a test module."""

import json
import os
import sys

sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dutyops.settings_test")

import django  # noqa: E402

django.setup()

from django.contrib.admin.models import LogEntry  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from duty import selectors, services  # noqa: E402
from duty.models import Shift  # noqa: E402
from dutyops.models import Department, Person  # noqa: E402
from realtime.models import Event  # noqa: E402

setup_test_environment()
report = {}
admin, officer = Person.objects.get(username="admin"), Person.objects.get(username="officer1")
office = Department.objects.get(code="LJ-ZBS")
client = Client()
client.force_login(officer)
report["roster_page"] = client.get(f"/duty/?department={office.pk}").status_code
report["shifts_api"] = client.get("/api/v1/shifts/", {"department": office.pk, "page_size": 500}).json()["count"]
events = client.get("/api/v1/events/?after=0&limit=1000", HTTP_ACCEPT_LANGUAGE="en").json()
report["events_api"] = events["count"]
report["old_summaries"] = sum(1 for e in events["results"] if e["data"].get("summary"))
report["daily_report"] = client.get("/api/v1/duty/daily-report/", {"department": office.pk}).status_code
admin_client = Client()
admin_client.force_login(admin)
report["admin_shifts"] = admin_client.get("/admin/duty/shift/").status_code
entry = LogEntry.objects.get(change_message="升级前的后台修改")
report["admin_log_model"] = f"{entry.content_type.app_label}.{entry.content_type.model}"
report["group_permissions"] = sorted(
    f"{p.content_type.app_label}.{p.codename}" for p in Group.objects.get(name="duty_leader").permissions.all()
)
# A write appends to the same stream, after the old events.
last = Event.objects.order_by("-seq").first().seq
on = selectors.on_duty(office.pk)
shift = on.shift if on else Shift.objects.filter(duty_room=office).order_by("-starts_at").first()
with transaction.atomic():
    entry = services.add_log_entry(shift, admin, text="升级后的第一条日志")
new = Event.objects.order_by("-seq").first()
report["new_event"] = {"type": new.type, "after_old": new.seq > last, "summary": new.summary}
print(json.dumps(report, ensure_ascii=False))
