"""TRUNCATE skips row triggers, so 0002's guard did not stop it: a statement
trigger refuses TRUNCATE on the audit trail too (PostgreSQL). The application's
own role cannot truncate anyway (grant_app_role); this guards the owner's
console. Only the test suite's flush between tests sets dutyops.allow_truncate
(dutyops/db/postgresql, DUTYOPS_TEST_FLUSH_AUDIT_TRAIL)."""

from django.db import migrations

TABLES = ["realtime_event", "realtime_eventaudience"]

FORWARD = """
CREATE OR REPLACE FUNCTION dutyops_refuse_truncate() RETURNS trigger AS $$
BEGIN
    IF current_setting('dutyops.allow_truncate', true) IS DISTINCT FROM 'on' THEN
        RAISE EXCEPTION 'DutyOps audit trail: TRUNCATE on % is not allowed (append-only)', TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
""" + "".join(
    f"CREATE TRIGGER {t}_no_truncate BEFORE TRUNCATE ON {t} "
    f"FOR EACH STATEMENT EXECUTE FUNCTION dutyops_refuse_truncate();\n"
    for t in TABLES
)
BACKWARD = "".join(f"DROP TRIGGER IF EXISTS {t}_no_truncate ON {t};\n" for t in TABLES) + (
    "DROP FUNCTION IF EXISTS dutyops_refuse_truncate();\n"
)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("realtime", "0002_append_only")]
    operations = [migrations.RunPython(forward, backward)]
