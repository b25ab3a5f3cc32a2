"""The duty models' content types move from the dutyops app to the duty app
(issue 15). Permissions and admin history point at the content type's id, so
they follow with it; a database that never had them (a fresh one) changes nothing."""

from django.db import migrations

MODELS = [
    "absence",
    "calendarfeed",
    "checkin",
    "dutylogentry",
    "dutyrule",
    "handover",
    "holiday",
    "leave",
    "postcheck",
    "rotation",
    "shift",
    "shiftofficer",
    "swaprequest",
]


def move(apps, schema_editor, source="dutyops", target="duty"):
    content_type = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    taken = set(
        content_type.objects.using(db).filter(app_label=target, model__in=MODELS).values_list("model", flat=True)
    )
    content_type.objects.using(db).filter(app_label=source, model__in=set(MODELS) - taken).update(app_label=target)


def move_back(apps, schema_editor):
    move(apps, schema_editor, source="duty", target="dutyops")


class Migration(migrations.Migration):

    dependencies = [
        ("duty", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(move, move_back)]
