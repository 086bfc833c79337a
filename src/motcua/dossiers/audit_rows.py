"""A whole chain confirmed intact from the audit scan's rows as they come from the database.

``audit.chain_problems`` checks a chain of objects with attributes (models, or the scan's named
rows), one helper call per event: for ``audit verify`` over millions of dossiers, building those
named rows and going through the helpers was a third of the Python time of each event. Here the
plain tuples of the scan (``audit_stream.ROW_FIELDS``, ``audit_stream.DOSSIER_FIELDS``) are
read by position, in one loop per chain.

Like the quick encoding (decision 0040) this can only *confirm*: it answers True when every
event is in order, sealed with a known key, its seal matches, and the dossier row agrees with
its last event, exactly the chains for which ``chain_problems`` finds nothing. For anything else
it answers False, and the scan runs ``chain_problems`` on the same rows to say what is wrong
(so every message, and every fallback of the exact encoding, stays in one place).
``tests/dossiers/test_audit_rows.py`` checks the two against each other on intact and tampered
chains.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from operator import itemgetter
from typing import Any

import orjson

from .audit import FACT_FIELDS, canonical
from .audit_keys import ChainKeys

# An event row (``audit_stream.ROW_FIELDS``, asserted there) and the positions read by name.
EVENT_ROW = (
    "dossier_id", "seq", "at", "actor_name", "unit_id", "action", "from_status", "from_step",
    "to_status", "to_step", "reason", "payload_text", "prev_hash", "hash", "key_id", "facts",
)  # fmt: skip
E_SEQ = EVENT_ROW.index("seq")
E_TO_STATUS = EVENT_ROW.index("to_status")
E_HASH = EVENT_ROW.index("hash")
E_FACTS = EVENT_ROW.index("facts")
# A dossier row (``audit_stream.DOSSIER_FIELDS``): its id, the facts, the last hash.
DOSSIER_ROW = ("id", *FACT_FIELDS, "last_event_hash")
D_REF = DOSSIER_ROW.index("ref")
D_STATUS = DOSSIER_ROW.index("status")
D_VERSION = DOSSIER_ROW.index("version")
D_LAST_HASH = DOSSIER_ROW.index("last_event_hash")
SORTED_FACT_NAMES = tuple(sorted(FACT_FIELDS))
SORTED_FACTS = itemgetter(*(DOSSIER_ROW.index(name) for name in SORTED_FACT_NAMES))
SORTED = orjson.OPT_SORT_KEYS
# Datetimes handed to ``default`` (``audit.canonical``) rather than written in orjson's form.
AS_CANONICAL = orjson.OPT_PASSTHROUGH_DATETIME


def chain_intact(dossier: Sequence[Any], events: Sequence[Sequence[Any]], keys: ChainKeys) -> bool:
    """True only if ``audit.chain_problems`` finds nothing wrong with this chain (see above).

    Each event's seal is checked over ``audit.dumps_quick(audit.sealed_content(…))`` of its
    row, written here in one place: the keys in sorted order, so that orjson sorts only a
    payload that has keys of its own; a value the quick encoding cannot write sends the chain
    to the exact check."""
    if not events:
        return False
    macs = keys.macs
    ref = dossier[D_REF]
    previous, expected = "", 1
    for event in events:
        # One unpacking rather than fifteen look-ups by position: the loop runs per event.
        (
            _dossier, seq, at, actor, unit, action, from_status, from_step, to_status, to_step,
            reason, payload_text, prev, sealed_hash, key, facts,
        ) = event  # fmt: skip
        mac = macs.get(key)  # none for an unsealed (old) chain's empty key, or a key we lack
        if seq != expected or prev != previous or mac is None:
            return False
        try:
            payload = {} if payload_text == "{}" else orjson.loads(payload_text)
            content = {
                "action": action, "actor": actor,
                "at": at if at.__class__ is str else canonical(at),
                "dossier": ref, "facts": facts, "from": [from_status, from_step], "key": key,
                "payload": payload, "prev": prev, "reason": reason, "seq": seq,
                "to": [to_status, to_step], "unit": unit,
            }  # fmt: skip
            sealed = orjson.dumps(content, option=SORTED) if payload else orjson.dumps(content)
        except (orjson.JSONDecodeError, orjson.JSONEncodeError):
            return False
        mac = mac.copy()
        mac.update(sealed)
        if mac.hexdigest() != sealed_hash:
            return False
        previous, expected = sealed_hash, expected + 1
    last = events[-1]
    return (
        last[E_SEQ] == dossier[D_VERSION]
        and last[E_TO_STATUS] == dossier[D_STATUS]
        and dossier[D_LAST_HASH] == last[E_HASH]
        and facts_digest(dossier) == last[E_FACTS]
    )


def facts_digest(dossier: Sequence[Any]) -> str | None:
    """``audit.dossier_facts`` of a row by the quick encoding (None where it cannot write them):
    the facts taken in their names' sorted order, so that orjson need not sort them; a time
    still a datetime (not PostgreSQL's text) written by ``canonical``."""
    facts = dict(zip(SORTED_FACT_NAMES, SORTED_FACTS(dossier), strict=True))
    try:
        return hashlib.sha256(
            orjson.dumps(facts, default=canonical, option=AS_CANONICAL)
        ).hexdigest()
    except orjson.JSONEncodeError:
        return None
