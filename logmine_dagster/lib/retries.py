"""Step retries for transient database failures, and nothing else.

A PostgreSQL restart or failover, a dropped connection or a server that refuses connections for a
moment fails whatever step was talking to it. Every logmine asset replaces its partition in one
transaction, so running the step again is safe; waiting a little and retrying is the right answer.

A Dagster `RetryPolicy` would retry every exception, including the deterministic ones (bad
configuration, a blocking PII check, a missing log folder), which fail the same way again and only
delay the alert. And dagster.yaml's run retries deliberately skip runs that failed in a step
(`retry_on_asset_or_op_failure: false`). So DB-writing assets are wrapped with
`retry_on_transient_database_errors`: a transient error becomes `dg.RetryRequested` with a growing wait,
anything else fails the step as before.
"""

from __future__ import annotations

import functools
from typing import Callable, TypeVar

import dagster as dg
import sqlalchemy as sa

MAX_DATABASE_RETRIES = 3
FIRST_WAIT_S = 5.0  # then 10 s, 20 s: a restarted PostgreSQL usually accepts connections within seconds

# PostgreSQL SQLSTATE classes that mean "the connection or the server went away", not "your statement
# is wrong": 08 connection exception, 57P01-57P03 admin/crash shutdown, cannot connect now.
_TRANSIENT_SQLSTATES = ("08", "57P01", "57P02", "57P03")

F = TypeVar("F", bound=Callable)


def is_transient_database_error(error: BaseException) -> bool:
    """True for errors a retry can fix: lost connections, server restarts, refused connections."""
    if isinstance(error, sa.exc.DisconnectionError):
        return True
    if isinstance(error, sa.exc.DBAPIError):
        if error.connection_invalidated:
            return True
        code = getattr(error.orig, "pgcode", None) or getattr(error.orig, "sqlstate", None)
        if code and code.startswith(_TRANSIENT_SQLSTATES):
            return True
        # psycopg2 reports a dropped socket or a refused connection without a SQLSTATE.
        return isinstance(error, sa.exc.OperationalError) and code is None and error.orig is not None and (
            type(error.orig).__module__.startswith("psycopg")
        )
    return False


def _database_error_in(error: BaseException | None) -> sa.exc.SQLAlchemyError | None:
    while error is not None and not isinstance(error, sa.exc.SQLAlchemyError):
        error = error.__cause__
    return error


def retry_on_transient_database_errors(asset_fn: F) -> F:
    """Wrap an asset (or op) body: transient database errors request a retry of the step.

    The error's text is not carried over: the statement is SQL only (the engine hides parameters), but
    the step's failure message needs nothing beyond the error's type.
    """

    @functools.wraps(asset_fn)
    def wrapper(*args, **kwargs):
        try:
            return asset_fn(*args, **kwargs)
        except Exception as raised:
            # Opening the database wraps a refused connection in a one-line DatabaseUnavailable: the
            # SQLAlchemy error is then its cause.
            error = _database_error_in(raised)
            if error is None or not is_transient_database_error(error):
                raise
            context = kwargs.get("context", args[0] if args else None)
            attempt = getattr(context, "retry_number", 0) or 0
            if context is not None and hasattr(context, "log"):
                context.log.warning(
                    f"transient database error ({type(error.orig or error).__name__}); retry {attempt + 1} of "
                    f"{MAX_DATABASE_RETRIES} in {FIRST_WAIT_S * 2 ** attempt:.0f}s"
                )
            raise dg.RetryRequested(max_retries=MAX_DATABASE_RETRIES, seconds_to_wait=FIRST_WAIT_S * 2**attempt) from None

    return wrapper  # type: ignore[return-value]
