"""Database triggers: a published assessment and its rows refuse every change.

What bypasses the ORM's guards (``QuerySet.update``, ``bulk_update``, raw SQL, the M2M table)
still meets these. A demo assessment may be deleted (``demo_assessments --clear``), never
updated. Errors are integrity errors on both databases (SQLite ``RAISE(ABORT)``, PostgreSQL
SQLSTATE 23000). A test checks the triggers exist: SQLite drops a table's triggers when a later
migration rebuilds it, so such a migration must recreate them.
"""

from django.db import migrations

MESSAGE = "assessment is published and cannot change"
ROW_TABLES = (
    "assessments_assessmenttarget",
    "assessments_assessmenttask",
    "assessments_assessment_evaluators",
)


def _sqlite_statements() -> list[str]:
    parent = "assessments_assessment"
    statements = [
        f"""CREATE TRIGGER {parent}_published_no_update BEFORE UPDATE ON {parent}
        FOR EACH ROW WHEN OLD.status = 'published'
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
        f"""CREATE TRIGGER {parent}_published_no_delete BEFORE DELETE ON {parent}
        FOR EACH ROW WHEN OLD.status = 'published' AND NOT OLD.is_demo
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    ]
    for table in ROW_TABLES:
        status = f"(SELECT status FROM {parent} WHERE id = %s.assessment_id) = 'published'"
        statements += [
            f"""CREATE TRIGGER {table}_published_no_insert BEFORE INSERT ON {table}
            FOR EACH ROW WHEN {status % "NEW"}
            BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
            f"""CREATE TRIGGER {table}_published_no_update BEFORE UPDATE ON {table}
            FOR EACH ROW WHEN {status % "OLD"} OR {status % "NEW"}
            BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
            f"""CREATE TRIGGER {table}_published_no_delete BEFORE DELETE ON {table}
            FOR EACH ROW WHEN (SELECT status = 'published' AND NOT is_demo FROM {parent}
                               WHERE id = OLD.assessment_id)
            BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
        ]
    return statements


def _postgres_statements() -> list[str]:
    statements = [
        f"""CREATE OR REPLACE FUNCTION assessments_assessment_guard() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
          IF OLD.status = 'published' AND (TG_OP = 'UPDATE' OR NOT OLD.is_demo) THEN
            RAISE EXCEPTION '{MESSAGE} (assessment %)', OLD.id USING ERRCODE = '23000';
          END IF;
          IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
          RETURN NEW;
        END $$""",
        """CREATE TRIGGER assessments_assessment_guard
        BEFORE UPDATE OR DELETE ON assessments_assessment
        FOR EACH ROW EXECUTE FUNCTION assessments_assessment_guard()""",
        f"""CREATE OR REPLACE FUNCTION assessments_row_guard() RETURNS trigger
        LANGUAGE plpgsql AS $$
        DECLARE
          parent_status text;
          parent_demo boolean;
        BEGIN
          IF TG_OP IN ('UPDATE', 'DELETE') THEN
            SELECT status, is_demo INTO parent_status, parent_demo
              FROM assessments_assessment WHERE id = OLD.assessment_id;
            IF parent_status = 'published' AND NOT (TG_OP = 'DELETE' AND parent_demo) THEN
              RAISE EXCEPTION '{MESSAGE} (assessment %)', OLD.assessment_id
                USING ERRCODE = '23000';
            END IF;
          END IF;
          IF TG_OP IN ('UPDATE', 'INSERT') THEN
            SELECT status INTO parent_status
              FROM assessments_assessment WHERE id = NEW.assessment_id;
            IF parent_status = 'published' THEN
              RAISE EXCEPTION '{MESSAGE} (assessment %)', NEW.assessment_id
                USING ERRCODE = '23000';
            END IF;
          END IF;
          IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
          RETURN NEW;
        END $$""",
    ]
    for table in ROW_TABLES:
        statements.append(
            f"""CREATE TRIGGER {table}_guard BEFORE INSERT OR UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION assessments_row_guard()"""
        )
    return statements


def _drop_statements(vendor: str) -> list[str]:
    parent = "assessments_assessment"
    if vendor == "postgresql":
        return [
            *(f"DROP TRIGGER IF EXISTS {t}_guard ON {t}" for t in ROW_TABLES),
            f"DROP TRIGGER IF EXISTS {parent}_guard ON {parent}",
            "DROP FUNCTION IF EXISTS assessments_row_guard()",
            "DROP FUNCTION IF EXISTS assessments_assessment_guard()",
        ]
    names = [f"{parent}_published_no_update", f"{parent}_published_no_delete"]
    for table in ROW_TABLES:
        names += [f"{table}_published_no_{op}" for op in ("insert", "update", "delete")]
    return [f"DROP TRIGGER IF EXISTS {name}" for name in names]


def create_triggers(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        statements = _postgres_statements()
    elif vendor == "sqlite":
        statements = _sqlite_statements()
    else:  # pragma: no cover (the product runs on SQLite and PostgreSQL only)
        return
    for statement in statements:
        schema_editor.execute(statement, params=None)


def drop_triggers(apps, schema_editor) -> None:
    for statement in _drop_statements(schema_editor.connection.vendor):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
