"""manage.py grant_app_role: the database role daphne and the worker run as.

Migrations run as the database's owner. The application connects as a role
that owns nothing: it reads and writes the tables it needs, but on the audit
trail (models marked `append_only`) it may only read and insert, and since it
owns no table it can never ALTER one, DISABLE its triggers or TRUNCATE it.
Idempotent: run it after every `migrate`, so new tables get their grants.
"""

import os

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from psycopg2 import sql

READ_WRITE = ("SELECT", "INSERT", "UPDATE", "DELETE")
APPEND_ONLY = ("SELECT", "INSERT")


def append_only_tables():
    tables = set()
    for model in apps.get_models(include_auto_created=True):
        if getattr(model, "append_only", False):
            tables.add(model._meta.db_table)
    return tables


class Command(BaseCommand):
    help = "Create or update the application's PostgreSQL role: read/write, but append-only on the audit trail."

    def add_arguments(self, parser):
        parser.add_argument("--role", default=os.environ.get("DUTYOPS_APP_DB_ROLE", "dutyops_app"))
        parser.add_argument(
            "--password-env",
            default="DUTYOPS_APP_DB_PASSWORD",
            help="environment variable holding the role's password (never a command-line argument)",
        )

    def handle(self, role, password_env, **options):
        if connection.vendor != "postgresql":
            raise CommandError("grant_app_role is for PostgreSQL.")
        password = os.environ.get(password_env, "")
        name = sql.Identifier(role)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cursor.fetchone() is None:
                if not password:
                    raise CommandError(f"role {role} does not exist: set {password_env} to create it")
                cursor.execute(
                    sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %s").format(name),
                    [password],
                )
            elif password:
                cursor.execute(sql.SQL("ALTER ROLE {} PASSWORD %s").format(name), [password])
            cursor.execute("SELECT current_database()")
            database = sql.Identifier(cursor.fetchone()[0])
            cursor.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(database, name))
            cursor.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(name))
            cursor.execute(sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {}").format(name))
            guarded = append_only_tables()
            for table in connection.introspection.table_names(cursor):
                if table == "django_migrations":
                    rights = ("SELECT",)
                else:
                    rights = APPEND_ONLY if table in guarded else READ_WRITE
                cursor.execute(
                    sql.SQL("GRANT {} ON {} TO {}").format(
                        sql.SQL(", ").join(map(sql.SQL, rights)), sql.Identifier(table), name
                    )
                )
            cursor.execute(sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(name))
        self.stdout.write(f"{role}: read/write on the application's tables, read and insert only on {sorted(guarded)}")
