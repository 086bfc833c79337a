"""The shape of an ``import-events`` line, checked before any rule runs.

Every line of any shape ends as one result: applied, or refused with a ``Reason`` (a ``str``
that also says which kind of refusal it is, for the summary). A line that is not UTF-8, not
JSON, not a JSON object, or whose known fields have the wrong type is refused here; a line
earlier than what the run already applied to its dossier (out of order) or the same event
again (a duplicate) is refused by ``Ordering``.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections import Counter
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.common.json_plain import sorted_key_bytes

REF_MAX = 40  # Dossier.ref
MIN_YEAR, MAX_YEAR = 1900, 2200

# The kinds of refusal the summary counts, with what they mean.
KINDS = {
    "format": gettext_lazy("không đọc được dòng (không phải UTF-8 / JSON / đối tượng)"),
    "type": gettext_lazy("trường sai kiểu hoặc giá trị không hợp lệ"),
    "unknown": gettext_lazy("thủ tục, đơn vị, người dùng hoặc hồ sơ không có"),
    "order": gettext_lazy("sự kiện sớm hơn sự kiện đã nạp của hồ sơ"),
    "duplicate": gettext_lazy("sự kiện trùng lặp"),
    "rule": gettext_lazy("quy tắc nghiệp vụ không cho phép"),
    "database": gettext_lazy("cơ sở dữ liệu không nhận"),
    "unexpected": gettext_lazy("lỗi không lường trước"),
}

# Known fields and the JSON types they may hold (None, i.e. null, is the field left out).
TEXT_FIELDS = (
    "at", "action", "dossier", "actor", "procedure", "unit", "case", "channel", "reason",
    "new_due", "assignee", "to_unit",
)  # fmt: skip
APPLICANT_FIELDS = ("name", "id_number", "kind")


class Reason(str):
    """Why a line was refused, in words; ``kind`` is one of ``KINDS``."""

    kind: str = "rule"

    def __new__(cls, text: Any, kind: str = "rule") -> Reason:
        made = super().__new__(cls, str(text))
        made.kind = kind
        return made


class LineError(Exception):
    """The line cannot be applied; the message says why, ``kind`` which kind of refusal."""

    def __init__(self, message: Any, kind: str = "unknown") -> None:
        super().__init__(str(message))
        self.kind = kind


def line_parse(line: str | bytes | dict[str, Any]) -> dict[str, Any]:
    """One line of the file (or an event already parsed, from a generator) as a checked dict."""
    if isinstance(line, dict):
        return line
    if isinstance(line, bytes):
        try:
            line = line.decode("utf-8")
        except UnicodeDecodeError as error:
            raise LineError(
                _("dòng không phải UTF-8 (byte %(at)d)") % {"at": error.start}, "format"
            ) from error
    try:
        event = json.loads(line)
    except json.JSONDecodeError as error:
        raise LineError(
            _("JSON không hợp lệ (%(error)s)") % {"error": error.msg}, "format"
        ) from error
    except (ValueError, RecursionError) as error:  # a number too long, nesting too deep
        raise LineError(
            _("JSON không đọc được (%(error)s)") % {"error": type(error).__name__}, "format"
        ) from error
    if not isinstance(event, dict):
        raise LineError(_("dòng không phải một đối tượng JSON"), "format")
    event_check(event)
    return event


def wrong_type(name: str) -> LineError:
    return LineError(_("trường '%(field)s' sai kiểu hoặc không hợp lệ") % {"field": name}, "type")


def text_check(name: str, value: Any) -> None:
    if value is not None and not text_storable(value):
        raise wrong_type(name)


def text_storable(value: Any) -> bool:
    """Text a database column can hold: no NUL, no lone surrogate (JSON's ``"\\ud800"``,
    which no UTF-8 column can store)."""
    if not isinstance(value, str) or "\x00" in value:
        return False
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def event_check(event: dict[str, Any]) -> None:
    """The known fields hold what the importer expects (unknown fields are ignored)."""
    for name in TEXT_FIELDS:
        text_check(name, event.get(name))
    if len(str(event.get("dossier") or "")) > REF_MAX:
        raise LineError(
            _("số tham chiếu hồ sơ ('dossier') dài quá %(max)d ký tự") % {"max": REF_MAX}, "type"
        )
    applicant = event.get("applicant")
    if applicant is not None:
        if not isinstance(applicant, dict):
            raise wrong_type("applicant")
        for name in APPLICANT_FIELDS:
            text_check(f"applicant.{name}", applicant.get(name))
    items = event.get("items")
    if items is not None and not (isinstance(items, list) and all(text_storable(i) for i in items)):
        raise wrong_type("items")
    amount = event.get("amount_vnd")
    if amount is not None and (isinstance(amount, bool) or not isinstance(amount, (int, str))):
        raise wrong_type("amount_vnd")
    payment = event.get("payment")
    if payment is not None and not isinstance(payment, dict):
        raise wrong_type("payment")


def instant(value: Any) -> datetime.datetime:
    try:
        parsed = datetime.datetime.fromisoformat(str(value))
    except (TypeError, ValueError) as error:
        raise LineError(
            _("thời điểm không hợp lệ '%(value)s'") % {"value": value}, "type"
        ) from error
    if parsed.tzinfo is None:
        raise LineError(
            _("thời điểm '%(value)s' thiếu múi giờ (ví dụ +07:00)") % {"value": value}, "type"
        )
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise LineError(_("thời điểm không hợp lệ '%(value)s'") % {"value": value}, "type")
    return parsed


def event_key(event: dict[str, Any]) -> str:
    return hashlib.blake2b(sorted_key_bytes(event), digest_size=16).hexdigest()


Latest = tuple[datetime.datetime | None, Counter[str]]  # latest event time, actions then
VIETNAM_TIME = datetime.timezone(datetime.timedelta(hours=7))


def recorded_action(event: dict[str, Any]) -> str:
    """The action a line leaves as its dossier's last event (a hand-over to another unit is
    recorded as sent, then taken)."""
    action = str(event.get("action") or "")
    return "accept_transfer" if action == "forward" and event.get("to_unit") else action


class Held:
    """What the database holds of a dossier no line of the run has been applied to yet: its
    latest event time, how many of each action then not yet matched by a line, and the lines
    matched (so that a line identical to one of them is refused as a single run refuses it)."""

    __slots__ = ("actions", "keys", "latest")  # one per dossier of a file run again

    def __init__(self, latest: datetime.datetime | None, actions: Counter[str]) -> None:
        self.latest, self.actions, self.keys = latest, actions, set[str]()

    def copy(self) -> Held:
        made = Held(self.latest, Counter(self.actions))
        made.keys = set(self.keys)
        return made


Seen = tuple[datetime.datetime, set[str]]


class Ordering:
    """What the run applied last to each dossier: its time, and the events at that time (so a
    repeated event is told from a new one at the same instant)."""

    def __init__(self) -> None:
        self.last: dict[str, Seen] = {}
        self.held: dict[str, Held] = {}
        self.undo: dict[str, tuple[Seen | None, Held | None]] | None = None

    def check(
        self, ref: str, at: datetime.datetime, event: dict[str, Any], recorded: Callable[[], Latest]
    ) -> None:
        """Refuse ``event`` if it is earlier than the dossier's last applied event, or the same
        event again. This run's events are known by their lines; before the run's first line
        applied to a dossier, its lines are checked against the events the database holds
        (their latest time, how many of each action then), so a file imported again is refused,
        not applied twice, and n lines of one action at that time stand for the n events."""
        self.remember(ref)
        seen = self.last.get(ref)
        if seen:
            self.not_earlier(at, seen[0])
            if at == seen[0] and event_key(event) in seen[1]:
                raise LineError(_("sự kiện trùng lặp (đã nạp một dòng giống hệt)"), "duplicate")
            return
        held = self.held.get(ref)
        if held is None:
            held = self.held[ref] = Held(*recorded())
        self.not_earlier(at, held.latest)
        if at != held.latest:
            return
        key = event_key(event)
        if key in held.keys:
            raise LineError(_("sự kiện trùng lặp (đã nạp một dòng giống hệt)"), "duplicate")
        action = recorded_action(event)
        if held.actions[action] > 0:
            held.actions[action] -= 1
            held.keys.add(key)
            raise LineError(
                _("sự kiện trùng lặp (hồ sơ đã có thao tác này vào đúng thời điểm này)"),
                "duplicate",
            )

    @staticmethod
    def not_earlier(at: datetime.datetime, latest: datetime.datetime | None) -> None:
        if latest is not None and at < latest:
            raise LineError(
                _("sự kiện lúc %(at)s sớm hơn sự kiện đã nạp của hồ sơ (%(last)s)")
                % {"at": local_text(at), "last": local_text(latest)},
                "order",
            )

    def applied(self, ref: str, at: datetime.datetime, event: dict[str, Any]) -> None:
        self.remember(ref)
        self.held.pop(ref, None)
        seen = self.last.get(ref)
        if seen and seen[0] == at:
            seen[1].add(event_key(event))
        elif seen is None or at > seen[0]:
            self.last[ref] = (at, {event_key(event)})

    def held_set(self, ref: str, latest: Latest) -> None:
        self.remember(ref)
        self.held[ref] = Held(*latest)

    # --- a batch that may be rolled back --------------------------------------------------

    def mark(self) -> None:
        """From here, remember what each dossier's state was, to go back to it."""
        self.undo = {}

    def remember(self, ref: str) -> None:
        if self.undo is None or ref in self.undo:
            return
        seen, held = self.last.get(ref), self.held.get(ref)
        self.undo[ref] = (
            (seen[0], set(seen[1])) if seen else None,
            held.copy() if held else None,
        )

    def rollback(self) -> None:
        """The batch since ``mark`` was rolled back: its dossiers are as they were before it
        (what earlier, committed batches applied or matched still counts)."""
        for ref, (seen, held) in (self.undo or {}).items():
            if seen is None:
                self.last.pop(ref, None)
            else:
                self.last[ref] = seen
            if held is None:
                self.held.pop(ref, None)
            else:
                self.held[ref] = held
        self.undo = None


def local_text(at: datetime.datetime) -> str:
    """Both times of a message in Vietnam's time, as the lines give them."""
    return at.astimezone(VIETNAM_TIME).isoformat()
