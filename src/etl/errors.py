"""Error kinds shared by every stage.

`InputError` is terminal for one item: the item goes to quarantine and the run
goes on. `TransientError` is worth retrying (network hiccup, busy disk).
"""


class EtlError(Exception):
    """Base class of the project's own errors."""


class InputError(EtlError):
    """One input cannot be processed; names the input and the reason."""

    def __init__(self, uri: str, reason: str):
        self.uri = uri
        self.reason = reason
        super().__init__(f"{uri}: {reason}")


class TransientError(EtlError):
    """A failure that may succeed when retried."""

    def __init__(self, uri: str, reason: str):
        self.uri = uri
        self.reason = reason
        super().__init__(f"{uri}: {reason}")


class WarehouseLockedError(EtlError):
    """Another run holds the warehouse lock."""


class WarehouseError(EtlError):
    """The warehouse cannot be written (read-only, disk full, no permission); says what to try."""
