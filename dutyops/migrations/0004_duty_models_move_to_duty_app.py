"""The duty models move to the duty app (issue 15): out of this app's state, and
their tables renamed from dutyops_* to duty_* so that each table carries the name
of the app that owns it. A rename is a catalogue change (PostgreSQL and SQLite
alike): no row is copied or touched, foreign keys and indexes follow the table.
duty/0001 takes the models into the duty app's state; duty/0002 moves their
content types (and so permissions and admin history) to the duty app.
"""

from django.db import migrations

# Dependents first: a model leaves the state after every model pointing at it.
MODELS = [
    "shiftofficer",
    "postcheck",
    "handover",
    "swaprequest",
    "dutylogentry",
    "checkin",
    "absence",
    "shift",
    "rotation",
    "holiday",
    "leave",
    "dutyrule",
    "calendarfeed",
]


class Migration(migrations.Migration):

    dependencies = [
        ("dutyops", "0003_idempotency"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="shift", name="officers"),
                *[migrations.DeleteModel(name=name) for name in MODELS],
            ],
            database_operations=[migrations.AlterModelTable(name=name, table=f"duty_{name}") for name in MODELS],
        ),
    ]
