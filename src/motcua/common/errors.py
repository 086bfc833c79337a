"""Domain errors: raised by services, turned into clear messages by views, the API and the CLI."""

from __future__ import annotations

from django.utils.functional import Promise


class DomainError(Exception):
    """A rule said no. ``message`` is translatable (Vietnamese source, English catalogue)."""

    def __init__(self, message: str | Promise) -> None:
        self.message = message
        super().__init__(str(message))


class NotAllowed(DomainError):
    """The actor lacks the capability for this action in this unit."""
