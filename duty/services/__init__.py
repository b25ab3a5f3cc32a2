"""Writes of the duty domain, one action per function; each changes rows and emits
its event in one transaction. Split by subject; import them from here."""

from .attendance import check_in, record_missed_checkins, record_post_check
from .handover import add_log_entry, sign_handover, write_handover
from .records import create_calendar_feed, delete_duty_record, revoke_calendar_feed, save_duty_record
from .rotations import generate_roster, validate_rotation
from .shifts import (
    CHECKIN_TIMER,
    EARLY_CHECKIN,
    SHIFT_START_TIMER,
    create_shift,
    delete_shift,
    emit_shift_changed,
    role_on,
    schedule_shift_timers,
    shift_data,
    update_shift,
    validate_shift,
)
from .swaps import answer_swap, cancel_swap, decide_swap, may_approve_swap, request_swap

__all__ = [
    "CHECKIN_TIMER",
    "EARLY_CHECKIN",
    "SHIFT_START_TIMER",
    "add_log_entry",
    "answer_swap",
    "cancel_swap",
    "check_in",
    "create_calendar_feed",
    "create_shift",
    "decide_swap",
    "delete_duty_record",
    "delete_shift",
    "emit_shift_changed",
    "generate_roster",
    "may_approve_swap",
    "record_missed_checkins",
    "record_post_check",
    "request_swap",
    "revoke_calendar_feed",
    "role_on",
    "save_duty_record",
    "schedule_shift_timers",
    "shift_data",
    "sign_handover",
    "update_shift",
    "validate_rotation",
    "validate_shift",
    "write_handover",
]
