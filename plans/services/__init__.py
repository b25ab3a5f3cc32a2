"""Writes of the plans domain. Each runs in one transaction and ends with its event.
Split by subject; import them from here (`services.create_plan`):

- library.py: create / update (a change to an issued plan makes a new version) /
  delete a draft / import a document or plan files; the matching cache's registry.
- activation.py: propose, approve, reject, change level, terminate; approval sends
  the level's tasks as alerts.
- rematch.py: re-run matching on an incident's picture change, emitting plan.matched
  when the top match (or the coverage gap) changes.
"""

from .activation import (
    LEVEL_CN,
    approve,
    can_approve,
    can_propose,
    change_level,
    propose_activation,
    reject,
    terminate,
)
from .library import (
    PLAN_FILE_SUFFIXES,
    ImportFailedError,
    bump_registry,
    create_plan,
    delete_plan,
    import_document,
    import_files,
    on_plan_saved,
    plan_files,
    read_plan_file,
    update_plan,
)
from .rematch import on_picture_changed, rematch

__all__ = [
    "LEVEL_CN",
    "PLAN_FILE_SUFFIXES",
    "ImportFailedError",
    "approve",
    "bump_registry",
    "can_approve",
    "can_propose",
    "change_level",
    "create_plan",
    "delete_plan",
    "import_document",
    "import_files",
    "on_picture_changed",
    "on_plan_saved",
    "plan_files",
    "propose_activation",
    "read_plan_file",
    "rematch",
    "reject",
    "terminate",
    "update_plan",
]
