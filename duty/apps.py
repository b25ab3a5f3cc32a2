from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DutyConfig(AppConfig):
    """Rosters, holidays, swaps, check-in, handover, duty log, daily report, iCal, exports."""

    name = "duty"
    verbose_name = _("值班值守")

    def ready(self):
        from django.db.models import Q

        from dutyops import credentials, policy

        from . import summaries  # noqa: F401 - registers how the duty events read
        from .models import Leave, Rotation, Shift, SwapRequest
        from .services import role_on
        from .services.records import revoke_feeds_of

        credentials.revoked.register(revoke_feeds_of)  # a revoked person's iCal feeds stop

        # A shift belongs to its duty room; its people are parties to it.
        policy.relations.register(
            Shift,
            departments=lambda shift: {shift.duty_room_id},
            party=lambda shift, person: role_on(shift, person) is not None,
        )
        # A rotation belongs to its room (rotations/ lists only the rooms one may read, issue
        # 16), a leave to its person's department (a room's duty leader manages its own people's).
        policy.relations.register(
            Rotation,
            departments=lambda rotation: {rotation.duty_room_id},
            query=lambda rooms: Q(duty_room_id__in=rooms),
        )
        policy.relations.register(Leave, departments=lambda leave: {leave.person.department_id})
        policy.relations.register(
            SwapRequest,
            departments=lambda swap: {swap.shift.duty_room_id},
            party=lambda swap, person: person.pk in (swap.requester_id, swap.counterpart_id),
        )
