"""The sealed chain of dossier events (decision 0009).

Each event's ``hash`` is an HMAC-SHA256, with a key kept outside the database
(``audit_keys``), over its content, the previous event's hash and a digest of the dossier's key
facts after the event (``facts``: status, due dates, units, applicant, procedure…). Someone with
the database but not the key can neither edit an event nor change those facts in the dossier row
without it showing. ``event_seal`` is the one function that seals an event: the kernel's
``build_event`` calls it for every write (submission, every action, the importer through them).

Chains written before this change are plain SHA-256 (``key_id`` empty); ``motcua audit rechain``
re-seals them once. Truncated histories and deleted dossiers are found against the published
roots (``audit_roots``).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from json.encoder import encode_basestring
from typing import Any

import orjson
from django.db.models import DateTimeField, QuerySet

from motcua.common.json_plain import orjson_plain
from motcua.common.memo import memoized

from .audit_keys import ChainKeys, chain_keys
from .models import Dossier, DossierEvent

# The dossier's key facts: what a citizen or an inspector relies on and what only an action may
# change. Each event's seal covers their digest as they stand after the event.
FACT_FIELDS = (
    "ref", "code", "procedure_id", "procedure_version", "case_id", "applicant_kind",
    "applicant_name", "applicant_id_number", "receiving_unit_id", "deciding_unit_id",
    "pending_unit_id", "status", "current_step", "submitted_at", "received_at", "due_at",
    "statutory_due_at", "finished_at", "returned_at", "decision", "fees_due_vnd",
    "fees_paid_vnd", "supplement_requests", "apologies", "version",
)  # fmt: skip

# What an event's seal covers, besides the dossier's ref and the facts.
EVENT_FIELDS = (
    "seq", "at", "actor_name", "unit_id", "action", "from_status", "from_step", "to_status",
    "to_step", "reason", "payload", "prev_hash", "hash", "key_id", "facts",
)  # fmt: skip


def canonical(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        # UTC, so that the value read back from any database hashes the same.
        if value.tzinfo is not datetime.UTC:
            value = value.astimezone(datetime.UTC)
        return value.isoformat(timespec="microseconds")
    return value


# ``json.dumps`` builds an encoder on every call with these options; one is enough.
_ENCODE = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, default=str, separators=(",", ":")
).encode


def dumps(content: Any) -> bytes:
    """The seal's canonical form: ``json.dumps(content, ensure_ascii=False, sort_keys=True,
    default=str, separators=(",", ":"))`` as UTF-8."""
    return _ENCODE(content).encode()


# How json writes a value of exactly these classes (not their subclasses: bool is an int).
SCALAR_TEXT: dict[type, Callable[[Any], str]] = {
    str: encode_basestring,
    int: int.__repr__,
    type(None): lambda _none: "null",
}


def dumps_flat(content: dict[str, Any]) -> bytes:
    """``dumps`` of a dict, the same bytes, faster for the dicts a seal covers: scalars and
    lists of them (an event's from and to) are written here, anything else by ``dumps``
    (tested against it)."""
    parts = []
    for key in sorted(content):
        value = content[key]
        kind = value.__class__
        if kind in SCALAR_TEXT:
            text = SCALAR_TEXT[kind](value)
        elif kind is list and all(part.__class__ in SCALAR_TEXT for part in value):
            text = "[" + ",".join(SCALAR_TEXT[part.__class__](part) for part in value) + "]"
        elif value is True or value is False:
            text = "true" if value else "false"
        elif isinstance(value, str):  # a text choice: its value, as json writes it
            text = encode_basestring(value)
        else:
            text = _ENCODE(value)
        parts.append(f"{encode_basestring(key)}:{text}")
    return ("{" + ",".join(parts) + "}").encode()


def dumps_quick(content: dict[str, Any]) -> bytes | None:
    """``dumps`` written by orjson (compiled), about five times faster: the same bytes for
    text, integers, null, booleans and lists and dicts of them — what a seal covers, read back
    from the database (tested against ``dumps``). Floats are written in another form (``1e16``
    for ``1e+16``) and other types not at all (``None``), so a check that fails with these bytes
    is made again with ``dumps_flat`` before an event is called changed (``mac_matches``)."""
    try:
        return orjson.dumps(content, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:  # a Decimal, an integer beyond 64 bits, a lone surrogate…
        return None


def dumps_sealed(content: dict[str, Any]) -> bytes:
    """``dumps(content)``, the bytes a seal is made over: orjson's where they are the same (an
    event's content and the facts almost always: a third of the time), else ``dumps_flat``.
    Exact both ways, so the seal's written form stays the reference one (decision 0009)."""
    quick = orjson_plain(content, orjson.OPT_SORT_KEYS)
    return quick if quick is not None else dumps_flat(content)


_FACTS = operator.attrgetter(*FACT_FIELDS)
# Only the times need ``canonical``; asking it of all 25 facts was a fifth of ``audit verify``.
_FACT_TIMES = tuple(
    position
    for position, name in enumerate(FACT_FIELDS)
    if isinstance(Dossier._meta.get_field(name), DateTimeField)
)


# A dossier's times are the same in each of its events' facts: each written once, then found
# here (equal instants have the same text, whatever their time zone).
_TIME_TEXTS: dict[datetime.datetime, str] = {}


def time_text(value: Any) -> Any:
    """``canonical(value)``, remembered for a time (aware times only: a naive one is read in
    the process's zone, which a setting may change)."""
    if value.__class__ is not datetime.datetime or value.tzinfo is None:
        return canonical(value)
    text = _TIME_TEXTS.get(value)
    if text is None:
        if len(_TIME_TEXTS) >= 100_000:
            _TIME_TEXTS.clear()
        text = _TIME_TEXTS[value] = canonical(value)
    return text


def facts_of(dossier: Any) -> dict[str, Any]:
    values = list(_FACTS(dossier))
    for position in _FACT_TIMES:
        values[position] = time_text(values[position])
    return dict(zip(FACT_FIELDS, values, strict=True))


def dossier_facts(dossier: Any) -> str:
    """SHA-256 of the dossier's key facts (a ``Dossier`` or a row with the same attributes)."""
    return hashlib.sha256(dumps_sealed(facts_of(dossier))).hexdigest()


def facts_match(dossier: Any, digest: str) -> bool:
    """``dossier_facts(dossier) == digest``, the quick encoding tried first."""
    facts = facts_of(dossier)
    quick = dumps_quick(facts)
    if quick is not None and hashlib.sha256(quick).hexdigest() == digest:
        return True
    return hashlib.sha256(dumps_flat(facts)).hexdigest() == digest


def sealed_content(dossier_ref: str, event: Any, payload: Any) -> dict[str, Any]:
    """What an event's seal covers, with ``payload`` the event's (read already)."""
    return {
        "dossier": dossier_ref,
        "seq": event.seq,
        "at": canonical(event.at),  # the audit scan's text is canonical already: kept as it is
        "actor": event.actor_name,
        "unit": event.unit_id,
        "action": event.action,
        "from": [event.from_status, event.from_step],
        "to": [event.to_status, event.to_step],
        "reason": event.reason,
        "payload": payload,
        "prev": event.prev_hash,
        "key": event.key_id,
        "facts": event.facts,
    }


def event_content(dossier_ref: str, event: Any, payload: Any) -> dict[str, Any]:
    """What an event's plain digest covers: the seal's content without the key and the facts."""
    content = sealed_content(dossier_ref, event, payload)
    del content["key"], content["facts"]
    return content


def event_digest(dossier_ref: str, event: Any) -> str:
    """The plain SHA-256 of chains written before decision 0009 (no key, no facts)."""
    return hashlib.sha256(dumps(event_content(dossier_ref, event, event.payload))).hexdigest()


def quick_payload(event: Any) -> Any:
    """The event's payload, read by orjson when the row carries it as text (``payload_text``:
    the audit scan's rows, ``audit_stream.SealedEvent``). orjson reads an integer beyond 64 bits
    as a float, so these values are for ``dumps_quick`` only: the exact check reads the text
    again as Django does (``json.loads``)."""
    text = getattr(event, "payload_text", None)
    if text is None:
        return event.payload
    if text == "{}":  # most events carry nothing: no parser for them
        return {}
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def event_mac(dossier_ref: str, event: Any, secret: bytes) -> str:
    content = sealed_content(dossier_ref, event, event.payload)
    return hmac.digest(secret, dumps_sealed(content), "sha256").hex()


def mac_matches(dossier_ref: str, event: Any, keys: ChainKeys) -> bool:
    """``event_mac(…) == event.hash`` with the event's key, the quick encoding tried first
    (``dumps_quick``). The quick bytes can only confirm a seal, never fail one: each encoder
    writes different values differently (decision 0040)."""
    quick = dumps_quick(sealed_content(dossier_ref, event, quick_payload(event)))
    if quick is not None:
        mac = keys.macs[event.key_id].copy()
        mac.update(quick)
        if mac.hexdigest() == event.hash:  # a confirmation only: no secret to time
            return True
    return hmac.compare_digest(event_mac(dossier_ref, event, keys.by_id[event.key_id]), event.hash)


@memoized
def sealing_keys() -> ChainKeys | None:
    """``chain_keys(create=True)``, read once per bulk run (``common.memo``)."""
    return chain_keys(create=True)


def event_seal(dossier: Dossier, event: DossierEvent, *, keys: ChainKeys | None = None) -> None:
    """Seal ``event`` as the dossier's newest: the facts as they stand now, the current key."""
    keys = keys or sealing_keys()
    assert keys is not None
    event.key_id = keys.current_id
    event.facts = dossier_facts(dossier)
    event.hash = event_mac(dossier.ref, event, keys.current)


@dataclass(frozen=True)
class ChainProblem:
    dossier: str
    seq: int | None
    problem: str

    @property
    def message(self) -> str:
        return f"{VIETNAMESE.get(self.problem, self.problem)} / {self.problem}"


MISSING = "event missing (deleted?)"
BROKEN = "chain broken: previous hash differs"
CHANGED = "event content changed after it was written"
NO_HISTORY = "dossier has no history"
TAIL_MISSING = "latest events missing (deleted?)"
STATUS_DIFFERS = "dossier status differs from its history"
FACTS_DIFFER = (
    "dossier facts (status, due date, units, applicant, procedure) differ from its last event"
)
LAST_HASH_DIFFERS = "dossier's last hash differs from its last event"
UNSEALED = "chain not sealed with the audit key (run `motcua audit rechain`)"
UNKNOWN_KEY = "sealed with a key this installation does not have"
DELETED = "dossier deleted since the published root"
TRUNCATED = "events deleted since the published root"
REWRITTEN = "history differs from the published root"

VIETNAMESE = {
    MISSING: "thiếu sự kiện (bị xóa?)",
    BROKEN: "chuỗi bị đứt: mã băm trước không khớp",
    CHANGED: "nội dung sự kiện đã bị sửa sau khi ghi",
    NO_HISTORY: "hồ sơ không có lịch sử",
    TAIL_MISSING: "thiếu các sự kiện cuối (bị xóa?)",
    STATUS_DIFFERS: "trạng thái hồ sơ khác với lịch sử",
    FACTS_DIFFER: "thông tin chính của hồ sơ (trạng thái, hạn trả, đơn vị, người nộp, thủ tục) "
    "khác với sự kiện cuối",
    LAST_HASH_DIFFERS: "mã băm cuối của hồ sơ khác với sự kiện cuối",
    UNSEALED: "chuỗi chưa được niêm phong bằng khóa kiểm toán (chạy `motcua audit rechain`)",
    UNKNOWN_KEY: "niêm phong bằng khóa mà hệ thống này không có",
    DELETED: "hồ sơ đã bị xóa sau gốc đã công bố",
    TRUNCATED: "sự kiện đã bị xóa sau gốc đã công bố",
    REWRITTEN: "lịch sử khác với gốc đã công bố",
}


def chain_problems(
    dossier: Any, events: Iterable[Any], keys: ChainKeys | None = None
) -> list[ChainProblem]:
    """Edited, deleted or re-ordered events, and a dossier row that disagrees with its history.

    ``dossier`` and ``events`` are model instances or rows with the same attributes, events in
    ``seq`` order."""
    keys = keys if keys is not None else chain_keys(create=False)
    ref = dossier.ref
    problems = []
    previous, expected_seq, last = "", 1, None
    unsealed = False
    for event in events:
        if event.seq != expected_seq:
            problems.append(ChainProblem(ref, expected_seq, MISSING))
            expected_seq = event.seq
        if event.prev_hash != previous:
            problems.append(ChainProblem(ref, event.seq, BROKEN))
        if not event.key_id:
            unsealed = True
            if event_digest(ref, event) != event.hash:
                problems.append(ChainProblem(ref, event.seq, CHANGED))
        elif keys is None or event.key_id not in keys.by_id:
            problems.append(ChainProblem(ref, event.seq, UNKNOWN_KEY))
        elif not mac_matches(ref, event, keys):
            problems.append(ChainProblem(ref, event.seq, CHANGED))
        previous, expected_seq, last = event.hash, expected_seq + 1, event
    if last is None:
        return [ChainProblem(ref, None, NO_HISTORY)]
    if unsealed:
        problems.append(ChainProblem(ref, None, UNSEALED))
    # One event per version: a missing tail shows as a version ahead of the last event.
    if last.seq != dossier.version:
        problems.append(ChainProblem(ref, last.seq + 1, TAIL_MISSING))
    if last.to_status != dossier.status:
        problems.append(ChainProblem(ref, None, STATUS_DIFFERS))
    if last.key_id and not facts_match(dossier, last.facts):
        problems.append(ChainProblem(ref, None, FACTS_DIFFER))
    if dossier.last_event_hash != last.hash:
        problems.append(ChainProblem(ref, None, LAST_HASH_DIFFERS))
    return problems


def tail_problems(dossier: Any, events: Sequence[Any], seq: int, hash_: str) -> list[ChainProblem]:
    """The dossier against its entry in a published root: at least that many events, and the
    same sealed hash at that seq (the seal chains back, so the whole prefix is the same)."""
    at_seq = next((e for e in events if e.seq == seq), None)
    if at_seq is None:
        return [ChainProblem(dossier.ref, seq, TRUNCATED)]
    if at_seq.hash != hash_:
        return [ChainProblem(dossier.ref, seq, REWRITTEN)]
    return []


def audit_verify(dossiers: QuerySet[Dossier] | None = None) -> tuple[int, list[ChainProblem]]:
    """Check every chain with the key (and against the latest published root, when there is
    one); returns (dossiers checked, problems found)."""
    from .audit_roots import audit_scan  # roots build on this module

    report = audit_scan(dossiers=dossiers)
    return report.dossiers, [*report.problems]
