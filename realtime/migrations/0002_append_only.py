"""The event stream is the audit trail: on PostgreSQL the database itself
refuses UPDATE and DELETE on it, whatever code or console tries."""

from django.db import migrations

TABLES = ["realtime_event", "realtime_eventaudience"]

FORWARD = """
CREATE OR REPLACE FUNCTION dutyops_refuse_rewrite() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'DutyOps audit trail: % on % is not allowed (append-only)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
""" + "".join(
    f"CREATE TRIGGER {t}_append_only BEFORE UPDATE OR DELETE ON {t} "
    f"FOR EACH ROW EXECUTE FUNCTION dutyops_refuse_rewrite();\n"
    for t in TABLES
)

BACKWARD = "".join(f"DROP TRIGGER IF EXISTS {t}_append_only ON {t};\n" for t in TABLES)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("realtime", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
