"""Reference data read once per bulk run.

A bulk import asks the same questions of the configuration millions of times: the process of a
procedure at a unit, the cases of a procedure, the delegations in force in a unit on a day.
Inside ``reference_memo()`` the functions marked ``@memoized`` answer each distinct question
once and then from memory; outside it (the web, the API, the scheduler) they read afresh on every
call, so an administrator's change shows at once. A run therefore does not see configuration
changed while it runs, which is what an import of history wants anyway (docs/decisions/0016).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

_RUN: ContextVar[dict[Any, Any] | None] = ContextVar("motcua_reference_memo", default=None)


@contextmanager
def reference_memo() -> Iterator[None]:
    """Answer memoized reference reads from memory until the block ends (a block inside another
    shares its memory)."""
    if _RUN.get() is not None:
        yield
        return
    token = _RUN.set({})
    try:
        yield
    finally:
        _RUN.reset(token)


def active() -> bool:
    return _RUN.get() is not None


def frozen(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return tuple(frozen(item) for item in value)
    if isinstance(value, set | frozenset):
        return frozenset(value)
    if isinstance(value, dict):
        return tuple(sorted((key, frozen(item)) for key, item in value.items()))
    return value


def memoized(function: Callable[P, R]) -> Callable[P, R]:
    """Within ``reference_memo()``, one call per distinct argument list (models by primary key)."""

    @wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        cache = _RUN.get()
        if cache is None:
            return function(*args, **kwargs)
        key: Any = (function, args, *kwargs.items())
        try:
            found = key in cache
        except TypeError:  # a list or a dict among the arguments
            key = (function, frozen(args), frozen(kwargs))
            found = key in cache
        if not found:
            cache[key] = function(*args, **kwargs)
        result: R = cache[key]
        return result

    return wrapper
