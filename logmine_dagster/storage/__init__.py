"""logmine's own database: tables, connection and partition-replacing writes."""

from logmine_dagster.storage.database import Database
from logmine_dagster.storage import schema

__all__ = ["Database", "schema"]
