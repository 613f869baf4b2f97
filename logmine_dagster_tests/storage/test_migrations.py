"""The migrations build exactly the schema the code declares, and 0004 downgrades cleanly."""

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext

from logmine_dagster.storage.database import MIGRATIONS_DIR, Database
from logmine_dagster.storage.schema import metadata


def _alembic_config(conn) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = conn
    return config


def test_migrated_database_matches_declared_schema(database_url):
    db = Database(database_url)
    try:
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), metadata)
        # Server defaults and type spellings differ by dialect; tables and columns must not.
        structural = [d for d in diff if d[0] in ("add_table", "remove_table", "add_column", "remove_column")]
        assert structural == []
    finally:
        db.dispose()


def test_migration_0004_downgrades_and_upgrades(database_url):
    db = Database(database_url)
    try:
        with db.engine.connect() as conn:
            command.downgrade(_alembic_config(conn), "0003")
            conn.commit()
            inspector = sa.inspect(conn)
            assert "synthetic_cases" not in inspector.get_table_names()
            assert "novelty" not in {c["name"] for c in inspector.get_columns("candidates")}
            command.upgrade(_alembic_config(conn), "head")
            conn.commit()
        inspector = sa.inspect(db.engine)
        assert "synthetic_cases" in inspector.get_table_names()
        assert {"inclusion_probability"} <= {c["name"] for c in inspector.get_columns("raw_samples")}
        assert {"origin", "rubric_notes", "tags"} <= {c["name"] for c in inspector.get_columns("eval_cases")}
    finally:
        db.dispose()
