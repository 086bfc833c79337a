"""Marks of units added with every write of their dossiers (``UnitMark``), by triggers on the
dossier and consultation tables.

PostgreSQL: statement-level triggers with transition tables, so that a COPY of ten thousand
dossiers marks each of their units once. Rows are only inserted: no writer waits for another's
mark (an upsert of one row per unit made two transactions touching the same units in different
orders deadlock, found by a review in session 46). A TRUNCATE of either table marks every unit
(Django's flush empties the units and their marks in the same statement). Every unit has a first
mark.
SQLite: a trigger per row (it has no statement-level triggers; its writers take turns anyway).

A dossier's units are the ones its row names (receiving, deciding, waiting to take over,
transferred from), before and after the change, and the units consulted on it; a consultation's
unit is marked when the consultation changes.
"""

from typing import Any

from django.db import migrations, models

UNIT_COLUMNS = ["receiving_unit_id", "deciding_unit_id", "pending_unit_id", "previous_unit_id"]
MARK_RANGE = 2**40  # sums of thousands of marks stay inside a 64-bit integer (``count_cache``)

POSTGRES = f"""
CREATE FUNCTION dossiers_units_mark(units bigint[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO dossiers_unitmark (unit_id, mark)
    SELECT unit, floor(random() * {MARK_RANGE})::bigint
    FROM (SELECT DISTINCT unit FROM unnest(units) AS unit WHERE unit IS NOT NULL) AS named
$$;

CREATE FUNCTION dossiers_dossier_marks_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM dossiers_units_mark(ARRAY(
        SELECT unit FROM marked_new, unnest(ARRAY[{", ".join(UNIT_COLUMNS)}]) AS unit));
    RETURN NULL;
END
$$;

CREATE FUNCTION dossiers_dossier_marks_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM dossiers_units_mark(ARRAY(
        SELECT unit FROM marked_new, unnest(ARRAY[{", ".join(UNIT_COLUMNS)}]) AS unit
        UNION ALL
        SELECT unit FROM marked_old, unnest(ARRAY[{", ".join(UNIT_COLUMNS)}]) AS unit
        UNION ALL
        SELECT consultation.unit_id FROM dossiers_consultation AS consultation
        WHERE consultation.dossier_id IN (SELECT id FROM marked_new)));
    RETURN NULL;
END
$$;

CREATE FUNCTION dossiers_dossier_marks_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM dossiers_units_mark(ARRAY(
        SELECT unit FROM marked_old, unnest(ARRAY[{", ".join(UNIT_COLUMNS)}]) AS unit
        UNION ALL
        SELECT consultation.unit_id FROM dossiers_consultation AS consultation
        WHERE consultation.dossier_id IN (SELECT id FROM marked_old)));
    RETURN NULL;
END
$$;

CREATE FUNCTION dossiers_marks_renew() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM dossiers_units_mark(ARRAY(SELECT id FROM organizations_unit));
    RETURN NULL;
END
$$;

CREATE FUNCTION dossiers_consultation_marks_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM dossiers_units_mark(ARRAY(SELECT unit_id FROM marked_new));
    RETURN NULL;
END
$$;

CREATE FUNCTION dossiers_consultation_marks_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM dossiers_units_mark(ARRAY(
        SELECT unit_id FROM marked_new UNION ALL SELECT unit_id FROM marked_old));
    RETURN NULL;
END
$$;

CREATE FUNCTION dossiers_consultation_marks_old() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM dossiers_units_mark(ARRAY(SELECT unit_id FROM marked_old));
    RETURN NULL;
END
$$;

CREATE TRIGGER dossiers_dossier_marks_insert AFTER INSERT ON dossiers_dossier
    REFERENCING NEW TABLE AS marked_new
    FOR EACH STATEMENT EXECUTE FUNCTION dossiers_dossier_marks_insert();
CREATE TRIGGER dossiers_dossier_marks_update AFTER UPDATE ON dossiers_dossier
    REFERENCING OLD TABLE AS marked_old NEW TABLE AS marked_new
    FOR EACH STATEMENT EXECUTE FUNCTION dossiers_dossier_marks_update();
CREATE TRIGGER dossiers_dossier_marks_delete AFTER DELETE ON dossiers_dossier
    REFERENCING OLD TABLE AS marked_old
    FOR EACH STATEMENT EXECUTE FUNCTION dossiers_dossier_marks_delete();
CREATE TRIGGER dossiers_dossier_marks_truncate AFTER TRUNCATE ON dossiers_dossier
    FOR EACH STATEMENT EXECUTE FUNCTION dossiers_marks_renew();
CREATE TRIGGER dossiers_consultation_marks_insert AFTER INSERT ON dossiers_consultation
    REFERENCING NEW TABLE AS marked_new
    FOR EACH STATEMENT EXECUTE FUNCTION dossiers_consultation_marks_new();
CREATE TRIGGER dossiers_consultation_marks_update AFTER UPDATE ON dossiers_consultation
    REFERENCING OLD TABLE AS marked_old NEW TABLE AS marked_new
    FOR EACH STATEMENT EXECUTE FUNCTION dossiers_consultation_marks_update();
CREATE TRIGGER dossiers_consultation_marks_delete AFTER DELETE ON dossiers_consultation
    REFERENCING OLD TABLE AS marked_old
    FOR EACH STATEMENT EXECUTE FUNCTION dossiers_consultation_marks_old();
CREATE TRIGGER dossiers_consultation_marks_truncate AFTER TRUNCATE ON dossiers_consultation
    FOR EACH STATEMENT EXECUTE FUNCTION dossiers_marks_renew();
"""

POSTGRES_UNDO = """
DROP TRIGGER dossiers_consultation_marks_truncate ON dossiers_consultation;
DROP TRIGGER dossiers_consultation_marks_delete ON dossiers_consultation;
DROP TRIGGER dossiers_consultation_marks_update ON dossiers_consultation;
DROP TRIGGER dossiers_consultation_marks_insert ON dossiers_consultation;
DROP TRIGGER dossiers_dossier_marks_truncate ON dossiers_dossier;
DROP TRIGGER dossiers_dossier_marks_delete ON dossiers_dossier;
DROP TRIGGER dossiers_dossier_marks_update ON dossiers_dossier;
DROP TRIGGER dossiers_dossier_marks_insert ON dossiers_dossier;
DROP FUNCTION dossiers_consultation_marks_old();
DROP FUNCTION dossiers_consultation_marks_update();
DROP FUNCTION dossiers_consultation_marks_new();
DROP FUNCTION dossiers_marks_renew();
DROP FUNCTION dossiers_dossier_marks_delete();
DROP FUNCTION dossiers_dossier_marks_update();
DROP FUNCTION dossiers_dossier_marks_insert();
DROP FUNCTION dossiers_units_mark(bigint[]);
"""


def sqlite_marking(units: list[str], consulted_of: str = "") -> str:
    """The SQLite statement marking ``units`` (expressions of ``NEW``/``OLD``) and, with
    ``consulted_of``, the units consulted on that row's dossier."""
    named = [f"SELECT {unit} AS unit" for unit in units]
    if consulted_of:
        named.append(f"SELECT unit_id FROM dossiers_consultation WHERE dossier_id = {consulted_of}.id")
    return (
        "INSERT INTO dossiers_unitmark (unit_id, mark) "
        f"SELECT unit, random() & {MARK_RANGE - 1} FROM ({' UNION '.join(named)}) "
        "WHERE unit IS NOT NULL;"
    )


def sqlite_triggers() -> list[str]:
    new = [f"NEW.{column}" for column in UNIT_COLUMNS]
    old = [f"OLD.{column}" for column in UNIT_COLUMNS]
    marking = {
        ("dossier", "INSERT"): sqlite_marking(new),
        ("dossier", "UPDATE"): sqlite_marking([*new, *old], consulted_of="NEW"),
        ("dossier", "DELETE"): sqlite_marking(old, consulted_of="OLD"),
        ("consultation", "INSERT"): sqlite_marking(["NEW.unit_id"]),
        ("consultation", "UPDATE"): sqlite_marking(["NEW.unit_id", "OLD.unit_id"]),
        ("consultation", "DELETE"): sqlite_marking(["OLD.unit_id"]),
    }
    return [
        f"CREATE TRIGGER dossiers_{table}_marks_{event.lower()} AFTER {event} "
        f"ON dossiers_{table} FOR EACH ROW BEGIN {statement} END;"
        for (table, event), statement in marking.items()
    ]


def triggers_create(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES)
        # A first mark for every unit: a unit whose dossiers were written before the triggers
        # has marks from now on, so an empty set of marks means "no dossier of it, ever".
        schema_editor.execute(
            "INSERT INTO dossiers_unitmark (unit_id, mark) "
            f"SELECT id, floor(random() * {MARK_RANGE})::bigint FROM organizations_unit"
        )
        return
    for statement in sqlite_triggers():
        schema_editor.execute(statement)
    schema_editor.execute(
        "INSERT INTO dossiers_unitmark (unit_id, mark) "
        f"SELECT id, random() & {MARK_RANGE - 1} FROM organizations_unit"
    )


def triggers_drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_UNDO)
        return
    for table in ("dossier", "consultation"):
        for event in ("insert", "update", "delete"):
            schema_editor.execute(f"DROP TRIGGER dossiers_{table}_marks_{event};")


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0019_worklist_elsewhere_ordered"),
    ]

    operations = [
        migrations.CreateModel(
            name="UnitMark",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),  # noqa: E501
                ("unit_id", models.BigIntegerField()),
                ("mark", models.BigIntegerField()),
            ],
            options={
                "indexes": [models.Index(fields=["unit_id", "mark"], name="unit_mark_unit")],
            },
        ),
        migrations.RunPython(triggers_create, triggers_drop),
    ]
