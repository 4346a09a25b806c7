"""One error type for everything a user can cause; the CLI and HTTP layers map it."""

from __future__ import annotations


class BeleidsgraafError(Exception):
    """A problem the user can fix: one sentence, plus a hint where we have one."""

    exit_code = 2
    status = 400

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message} ({self.hint})"


class InputError(BeleidsgraafError):
    """A source file cannot be read or makes no sense."""

    status = 422


class StoreError(BeleidsgraafError):
    """The store cannot be opened or written."""

    status = 503


class NotFoundError(BeleidsgraafError):
    status = 404
