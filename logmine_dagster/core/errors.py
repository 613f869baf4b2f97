"""The one base of every error logmine raises on purpose."""


class LogmineError(Exception):
    """An error whose message is one line meant for the operator: what is wrong and how to fix it,
    never the raw text of a log record (it may hold PII). The CLI prints it as `logmine: MESSAGE`
    without a traceback; the Dagster ops show it as the failure's description.

    Each subclass keeps its other, older base (`ValueError`, `RuntimeError` ...) so existing
    `except ValueError` handlers still catch it.
    """
