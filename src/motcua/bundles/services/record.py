"""A bundle's history: one event per change, in the change's transaction, chained by SHA-256
(``motcua.common.chain``), and published on the event bus (``bundle.<action>``)."""

from __future__ import annotations

import datetime
from typing import Any

from motcua.accounts.models import User
from motcua.common import chain

from ..models import Bundle, BundleEvent


def event_add(
    bundle: Bundle, *, action: str, at: datetime.datetime, actor: User | None = None,
    from_status: str | None = None, service: str = "", reason: str = "",
    payload: dict[str, Any] | None = None,
) -> BundleEvent:  # fmt: skip
    """Record what just happened to ``bundle`` (its status is already the new one); the caller
    saves the bundle in the same transaction."""
    event = BundleEvent(
        bundle=bundle, at=at, actor=actor,
        actor_name=actor.username if actor is not None else "system", action=action,
        service=service, from_status=bundle.status if from_status is None else from_status,
        to_status=bundle.status, reason=reason[:2000], payload=payload or {},
    )  # fmt: skip
    return chain.chain_append(bundle, event, topic="bundle", action=action, save_head=False)


def chain_problems(bundle: Bundle) -> list[str]:
    """Events whose hash or link does not hold (an edited, inserted or deleted event)."""
    return chain.chain_problems(bundle.events.order_by("seq"))
