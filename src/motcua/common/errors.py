"""Domain errors: raised by services, turned into clear messages by views, the API and the CLI."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import cast

from django.utils import translation
from django.utils.functional import Promise, lazy


class DomainError(Exception):
    """A rule said no. ``message`` is translatable (Vietnamese source, English catalogue)."""

    def __init__(self, message: str | Promise) -> None:
        self.message = message
        super().__init__(str(message))


class NotAllowed(DomainError):
    """The actor lacks the capability for this action in this unit."""


def composed(render: Callable[[], str]) -> Promise:
    """A message put together by ``render`` in whichever language is active when it is read
    (a translated sentence with translated names in it), so that one error can be told in
    Vietnamese and in English."""
    return cast(Promise, lazy(render, str)())  # the stubs type a lazy result as the str it reads as


def worded(message: str | Promise, values: Mapping[str, object]) -> Promise:
    """``message % values`` in whichever language is active when it is read: the sentence and
    the translatable names in ``values`` (an action's, a status's) are told in that language.
    The values themselves are taken now, so nothing is looked up again when it is read."""
    return composed(lambda: str(message) % values)


def in_languages(message: str | Promise, english_otherwise: str) -> tuple[str, str]:
    """``message`` in Vietnamese and in English; a message that is not translatable (already a
    string) keeps ``english_otherwise`` as its English."""
    with translation.override("vi"):
        vietnamese = str(message)
    if not isinstance(message, Promise):
        return vietnamese, english_otherwise
    with translation.override("en"):
        english = str(message)
    # A sentence the English catalogue lacks reads as the Vietnamese: the general English is
    # more use to a reader of English than the same words twice.
    return vietnamese, english if english != vietnamese else english_otherwise


def sqlstate(error: BaseException) -> str | None:
    """The SQLSTATE of a database error Django wrapped (its driver's error is the cause), None
    for any other error: how a caller tells "try again later" (a deadlock, a lock not granted)
    from a fault."""
    return getattr(error.__cause__, "sqlstate", None)
