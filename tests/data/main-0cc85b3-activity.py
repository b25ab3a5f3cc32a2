# Run with the OLD code (main at 0cc85b3): see tests/data/README.md. Not a test.
"""Run with the OLD code (main at 0cc85b3) after migrate + seed_demo: some duty history
beyond the seed (handover, duty log, post check, absence, swap, calendar feed, leave),
so every duty table has rows to carry across the upgrade."""
import datetime
import django, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dutyops.settings")
django.setup()
from django.utils import timezone
from dutyops import selectors, services
from dutyops.models import Person, Shift, Leave, Department
from incidents import services as isvc

people = {p.username: p for p in Person.objects.all()}
office = Department.objects.get(code="LJ-ZBS")
now = timezone.now()
on = selectors.on_duty(office.pk)
shift = on.shift
officer = on.officers[0]
# a report so the log and the timeline carry something
report, incident, _ = isvc.intake({"title": "升级前的测试事件", "category": "natural_disaster", "channel": "phone",
                                   "kind": "first", "description": "河堤渗水", "location_text": "橘子洲"}, officer)
services.add_log_entry(shift, officer, text="升级前的来电记录", kind="call", caller="村委会",
                       received_at=now - datetime.timedelta(minutes=3), answered_at=now - datetime.timedelta(minutes=2),
                       incident_id=incident.pk)
services.record_post_check(shift, officer, True, people["dleader"], method="电话")
services.record_post_check(shift, on.officers[1], False, people["dleader"], method="视频", note="不在岗")
services.write_handover(shift, "升级前的交班事项：关注河堤", officer)
services.create_calendar_feed(officer, person=officer)
services.create_calendar_feed(people["admin"], duty_room=office)
Leave.objects.create(person=people["officer4"], starts_on=now.date() + datetime.timedelta(days=40),
                     ends_on=now.date() + datetime.timedelta(days=42), reason="年假")
later = Shift.objects.filter(duty_room=office, starts_at__gt=now + datetime.timedelta(days=2)).order_by("starts_at")
mine = [s for s in later if officer.pk in [p.pk for p in selectors.officers_of(selectors.shifts_with_people().get(pk=s.pk))]]
if mine:
    on_it = {p.pk for p in selectors.people_on(selectors.shifts_with_people().get(pk=mine[0].pk))}
    other = next(people[u] for u in ("officer1", "officer2", "officer3", "officer4") if people[u].pk not in on_it)
    services.request_swap(actor=officer, shift=mine[0], counterpart=other, kind="substitute", reason="家中有事")
print("ok", incident.pk)
# An admin log entry and a group permission on duty models: their content types must follow the move.
from django.contrib.admin.models import LogEntry, CHANGE
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
ct = ContentType.objects.get(app_label="dutyops", model="shift")
LogEntry.objects.create(user=people["admin"], content_type=ct, object_id=str(shift.pk), object_repr=str(shift),
                        action_flag=CHANGE, change_message="升级前的后台修改")
Group.objects.get(name="duty_leader").permissions.add(Permission.objects.get(content_type=ct, codename="change_shift"))
