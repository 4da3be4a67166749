"""Error kinds shared by every stage, split the way a retry sees them.

`InputError` is terminal for one item: the item goes to quarantine and the run
goes on. A `TerminalError` (bad configuration, a missing input folder, a
read-only warehouse) stops the run at once: no retry can fix it, so the flow's
tasks do not retry it (`should_retry`) and the CLI prints its one line. A
`Transient` failure (network hiccup, another run holding the lock) may succeed
when retried. As in dlt, the class says which kind it is; the retry condition
only asks.
"""

from __future__ import annotations

import errno

# OSError numbers that come back on their own: a retry after a pause can succeed
TRANSIENT_ERRNOS = {errno.EAGAIN, errno.EBUSY, errno.EINTR, errno.ETIMEDOUT, errno.ECONNRESET,
                    errno.ECONNREFUSED, errno.ECONNABORTED, errno.EHOSTUNREACH, errno.ENETUNREACH}


class EtlError(Exception):
    """Base class of the project's own errors."""


class TerminalError(EtlError):
    """A failure no retry can fix; the message says what to change."""


class Transient(EtlError):
    """A failure that may succeed when retried."""


class InputError(TerminalError):
    """One input cannot be processed; names the input and the reason."""

    def __init__(self, uri: str, reason: str):
        self.uri = uri
        self.reason = reason
        super().__init__(f"{uri}: {reason}")


class TransientError(Transient):
    """One input failed in a way that may succeed when retried (network, busy disk)."""

    def __init__(self, uri: str, reason: str):
        self.uri = uri
        self.reason = reason
        super().__init__(f"{uri}: {reason}")


class ConfigError(TerminalError):
    """The configuration (sources.yaml, options, ETL_* variables) is invalid: one line naming the key."""


class MissingInputError(TerminalError):
    """The --input folder does not exist or is not a folder."""


class WarehouseError(TerminalError):
    """The warehouse cannot be written (read-only, disk full, no permission); says what to try."""


class WarehouseLockedError(Transient):
    """Another run holds the warehouse lock (waiting longer can succeed)."""


class NightFailed(EtlError):
    """The run finished its stages but did not do its job (nothing could be read); carries the summary."""

    def __init__(self, message: str, summary: dict | None = None):
        self.summary = summary or {}
        super().__init__(message)

    def __reduce__(self):  # Prefect may copy the exception between threads/processes
        return (type(self), (str(self), self.summary))


def is_transient(exc: BaseException) -> bool:
    """True when a retry may fix `exc`: our Transient errors and transient OS/network errors.

    >>> is_transient(ConfigError("x")), is_transient(TimeoutError()), is_transient(ValueError())
    (False, True, False)
    """
    if isinstance(exc, Transient):
        return True
    if isinstance(exc, EtlError):
        return False
    if isinstance(exc, (TimeoutError, ConnectionError)):
        return True
    if isinstance(exc, OSError):
        return exc.errno in TRANSIENT_ERRNOS
    try:  # network errors of the HTTP client, without importing it when unused
        import requests
    except ImportError:  # pragma: no cover - requests is a dependency
        return False
    return isinstance(exc, (requests.ConnectionError, requests.Timeout))


def should_retry(task, task_run, state) -> bool:
    """Prefect `retry_condition_fn`: retry a failed task only when its exception is transient."""
    exc = state.data if isinstance(state.data, BaseException) else None
    if exc is None:
        try:
            exc = state.result(raise_on_failure=False)
        except Exception as err:  # an unreadable result: judge the error that came instead
            exc = err
    return isinstance(exc, BaseException) and is_transient(exc)
