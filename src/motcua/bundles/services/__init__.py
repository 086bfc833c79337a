"""Writes on linked bundles: submission, the saga's advance after member events, withdrawal."""

from .advance import bundle_advance, bundle_reconcile, member_form, members_of
from .alerts import bundles_ack_scan
from .record import chain_problems, event_add
from .registry import (
    registry_call_claim,
    registry_call_failed,
    registry_call_recorded,
    registry_calls_due,
)
from .submission import agency_unit, bundle_submit
from .withdrawal import StaleBundle, bundle_withdraw

__all__ = [
    "StaleBundle",
    "agency_unit",
    "bundle_advance",
    "bundle_reconcile",
    "bundle_submit",
    "bundle_withdraw",
    "bundles_ack_scan",
    "chain_problems",
    "event_add",
    "member_form",
    "members_of",
    "registry_call_claim",
    "registry_call_failed",
    "registry_call_recorded",
    "registry_calls_due",
]
