"""Reusable Dagster machinery: the Dask executor, retries on transient database errors, metadata helpers."""
