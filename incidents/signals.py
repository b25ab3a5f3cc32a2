"""Signals other apps hook into; both are sent inside the writing transaction."""

from django.dispatch import Signal

# Sent with incident= when an incident is created (and created=True) or its
# picture (grade, category/subtype, casualties, text, location) changes: plans
# re-match on it.
picture_changed = Signal()

# Sent with instruction= and departments= (the responsible departments the leader
# named; empty: not named) when a leader writes an instruction: alerts turn it
# into a supervised case.
instruction_created = Signal()
