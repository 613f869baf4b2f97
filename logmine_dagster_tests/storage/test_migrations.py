"""The migrations build exactly the schema the code declares, and 0004 downgrades cleanly."""

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from logmine_dagster.storage.database import Database
from logmine_dagster.storage.schema import metadata
from logmine_dagster_tests.helpers import alembic_config


def _schema_differences(conn) -> list:
    """What the migrated database lacks or adds against schema.py: tables, columns, types, nullability, indexes,
    unique constraints and foreign keys (Alembic's comparison), and primary keys (which that comparison skips)."""
    diff = [repr(d) for d in compare_metadata(MigrationContext.configure(conn), metadata)]
    inspector = sa.inspect(conn)
    for table in metadata.sorted_tables:
        stored = inspector.get_pk_constraint(table.name)["constrained_columns"]
        if stored != [c.name for c in table.primary_key]:
            diff.append(f"primary key of {table.name}: {stored}")
    return diff


def test_migrated_database_matches_declared_schema(database_url):
    db = Database(database_url)
    try:
        with db.engine.connect() as conn:
            assert _schema_differences(conn) == []
    finally:
        db.dispose()


def test_the_schema_comparison_sees_a_missing_index_key_and_constraint(tmp_path):
    """The comparison above would also pass if it compared nothing: break one index, one unique constraint,
    one foreign key and one primary key in a migrated SQLite copy and each must show."""
    db = Database(f"sqlite:///{tmp_path / 'logmine.db'}")
    try:
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP INDEX ix_review_queue_week")
            conn.exec_driver_sql("ALTER TABLE review_votes RENAME TO old_votes")
            conn.exec_driver_sql("CREATE TABLE review_votes AS SELECT * FROM old_votes")  # keys and constraints lost
            conn.exec_driver_sql("DROP TABLE old_votes")
            # review_sessions without its foreign key to review_users (SQLite cannot drop one in place).
            columns = ", ".join(c["name"] for c in sa.inspect(conn).get_columns("review_sessions"))
            conn.exec_driver_sql("ALTER TABLE review_sessions RENAME TO old_sessions")
            conn.exec_driver_sql(f"CREATE TABLE review_sessions (id VARCHAR(64) PRIMARY KEY, {columns.replace('id, ', '', 1)})")
            conn.exec_driver_sql("DROP TABLE old_sessions")
        with db.engine.connect() as conn:
            found = "\n".join(_schema_differences(conn))
        assert "ix_review_queue_week" in found
        assert "('add_constraint', UniqueConstraint(Column('case_id'" in found  # SQLite reflects it without its name
        assert "primary key of review_votes" in found
        assert "('add_fk', ForeignKeyConstraint(" in found and "ForeignKey('review_users.id')" in found
    finally:
        db.dispose()


def test_migration_0004_downgrades_and_upgrades(database_url):
    db = Database(database_url)
    try:
        with db.engine.connect() as conn:
            command.downgrade(alembic_config(conn), "0003")
            conn.commit()
            inspector = sa.inspect(conn)
            assert "synthetic_cases" not in inspector.get_table_names()
            assert "novelty" not in {c["name"] for c in inspector.get_columns("candidates")}
            command.upgrade(alembic_config(conn), "head")
            conn.commit()
        inspector = sa.inspect(db.engine)
        assert "synthetic_cases" in inspector.get_table_names()
        assert {"inclusion_probability"} <= {c["name"] for c in inspector.get_columns("raw_samples")}
        assert {"origin", "rubric_notes", "tags"} <= {c["name"] for c in inspector.get_columns("eval_cases")}
    finally:
        db.dispose()
