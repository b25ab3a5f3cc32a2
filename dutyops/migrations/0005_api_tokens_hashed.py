"""API tokens stored hashed (issue 16): DRF's authtoken table kept every token in
plain text; each one moves here as its SHA-256 (it keeps working), and the old
table is dropped. And the person's auth version, which revocation raises."""

import datetime
import hashlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


OLD_TABLE = "authtoken_token"


def hash_old_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if OLD_TABLE not in connection.introspection.table_names():
        return  # a database made after rest_framework.authtoken was dropped
    ApiToken = apps.get_model("dutyops", "ApiToken")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, user_id, created FROM {OLD_TABLE}")
        rows = cursor.fetchall()
    for key, user_id, created in rows:
        token = ApiToken.objects.create(
            user_id=user_id, digest=hashlib.sha256(key.encode()).hexdigest(), prefix=key[:6]
        )
        if isinstance(created, datetime.datetime) and timezone.is_naive(created):
            created = timezone.make_aware(created, datetime.timezone.utc)
        ApiToken.objects.filter(pk=token.pk).update(created=created)
    schema_editor.execute(f"DROP TABLE {OLD_TABLE}")


class Migration(migrations.Migration):
    dependencies = [
        ("dutyops", "0004_duty_models_move_to_duty_app"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="auth_version",
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name="凭据版本"),
        ),
        migrations.CreateModel(
            name="ApiToken",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("digest", models.CharField(editable=False, max_length=64, unique=True, verbose_name="摘要")),
                ("prefix", models.CharField(editable=False, max_length=8, verbose_name="前缀")),
                ("created", models.DateTimeField(auto_now_add=True, verbose_name="签发时间")),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="api_tokens",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="人员",
                    ),
                ),
            ],
            options={
                "verbose_name": "接口令牌",
                "verbose_name_plural": "接口令牌",
                "ordering": ["-created", "-pk"],
            },
        ),
        # No way back: the plain tokens are gone (clients keep theirs).
        migrations.RunPython(hash_old_tokens, migrations.RunPython.noop),
    ]
