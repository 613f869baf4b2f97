"""Sub-commands of `logmine` that live in their own modules; `logmine_dagster.cli` registers them."""
