"""Today's date in UTC, read through one function so a test can pin it: a suite that crosses midnight
must not see the sensor and its own fixtures disagree about which day is "today"."""

import datetime as dt


def utc_today() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()
