"""The Vietnam-time clock: one definition of the timezone and of "now" for every stage.

Warehouse timestamps are naive Vietnam-local times (the table contract), so
`now_local()` drops the offset after converting.
"""

from __future__ import annotations

import datetime as dt

VIETNAM_TZ = dt.timezone(dt.timedelta(hours=7), "ICT")


def now_local() -> dt.datetime:
    """Current time in Vietnam (UTC+7), naive, to the microsecond."""
    return dt.datetime.now(VIETNAM_TZ).replace(tzinfo=None)


def today_local() -> dt.date:
    """Today's date in Vietnam."""
    return dt.datetime.now(VIETNAM_TZ).date()


def local_date(value: object) -> dt.date | None:
    """The Vietnam-local date of a timestamp (naive timestamps are already local).

    >>> local_date(dt.datetime(2026, 11, 30, 20, 0, tzinfo=dt.timezone.utc))
    datetime.date(2026, 12, 1)
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return (value.astimezone(VIETNAM_TZ) if value.tzinfo else value).date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def as_utc(local: dt.datetime) -> dt.datetime:
    """A naive Vietnam-local timestamp as an aware UTC one (what the Prefect UI shows).

    >>> as_utc(dt.datetime(2026, 12, 1, 2, 0)).isoformat()
    '2026-11-30T19:00:00+00:00'
    """
    return local.replace(tzinfo=VIETNAM_TZ).astimezone(dt.timezone.utc)
