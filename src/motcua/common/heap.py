"""What a web process keeps for its whole life, set aside from the garbage collector.

After start-up a process holds hundreds of thousands of objects that live as long as it does:
modules, models, the URL patterns, the API's schemas. CPython's cyclic collector walks every
object of a generation when it collects it, so each full collection visits them all again,
and collections are set off by allocation counts that every request reaches. ``settle`` loads
what the first request would load (the URL configuration and, through it, the API), collects
once, then freezes the survivors (``gc.freeze``): the collector no longer visits them, and
objects made later are collected as before."""

from __future__ import annotations

import gc

from django.conf import settings
from django.urls import get_resolver


def settle() -> None:
    if not settings.MOTCUA_GC_FREEZE:
        return
    get_resolver().url_patterns  # noqa: B018 (imports every view module and the API now)
    gc.collect()
    gc.freeze()
