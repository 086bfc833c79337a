"""Reading a time limit (thời hạn giải quyết) from what the national records write.

The records give a number and a unit when they can ("7 WORKING_DAY"), and otherwise free text in
the quantity or the note of a channel: "Không quá 10 ngày làm việc", "Ngay trong ngày tiếp nhận
hồ sơ", "Thực hiện trong ngày làm việc nhận được hồ sơ", "từ 03 đến 05 ngày", "a) … 05 ngày làm
việc đối với …; b) … 10 ngày làm việc đối với …", "02 tháng". Pure functions: text in, limit out.

Rules, each chosen so that the appointment we give is never later than the law allows:
- a range gives its upper bound (the law's maximum), noted;
- several limits for several cases give the longest, noted with the cases' limits, unless the
  caller can tell the cases apart (:func:`limits_in_text` returns them all);
- the extra days granted to mountain, island and remote communes are not counted (Hà Nội's
  counters use the ordinary limit; a remote commune enters its own as a legal limit);
- "sau 15 giờ" is the afternoon cut-off, not a limit of 15 hours;
- a month counts as 30 days (the engine has no months; never later than a calendar month);
- limits given per step ("Bước 2 … 05 ngày; Bước 3 … 10 ngày") or "theo mô tả" are not guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from motcua.common.text import fold

from .constants import TimeUnit

UNITS = {
    "WORKING_DAY": TimeUnit.WORKING_DAY,
    "DAY": TimeUnit.CALENDAR_DAY,
    "HOUR": TimeUnit.WORKING_HOUR,
}
DAYS_PER_MONTH = 30
# Stored notes are in the records' language, whatever the request's.
UNIT_NAMES: dict[str, str] = {
    TimeUnit.WORKING_DAY: "ngày làm việc",
    TimeUnit.CALENDAR_DAY: "ngày",
    TimeUnit.WORKING_HOUR: "giờ làm việc",
}

# Folded text (no accents, lower case). "Ngay trong ngay", "trong ngay lam viec (nhan duoc ho so)",
# "trong ngay" after a verb: the same working day.
SAME_DAY = re.compile(
    r"\bngay trong ngay\b|\btrong ngay lam viec\b(?! tiep theo)|"
    r"\b(thuc hien|giai quyet|tra ket qua|cap|xu ly)\s+(ngay\s+)?trong ngay\b"
)
NUMBER = r"(\d+(?:[.,]\d+)?)"
UNIT_WORDS = r"(ngay lam viec|ngay lam|ngay|gio lam viec|gio|thang)"
RANGE = re.compile(rf"\b{NUMBER}\s*(?:den|-|–|—|toi)\s*{NUMBER}\s*{UNIT_WORDS}\b")
SINGLE = re.compile(rf"\b{NUMBER}\s*{UNIT_WORDS}\b")
# "sau 15 gio", "truoc 15 gio", "luc 15 gio": a time of day, never a limit.
CLOCK = re.compile(r"\b(sau|truoc|luc|vao)\s+\d+\s*gio\b(?! lam)")
# Sentences that only extend the limit for remote communes (Decree 61/2018 art. 26a, Land Law).
REMOTE = re.compile(r"mien nui|vung sau|vung xa|hai dao|bien gioi|dac biet kho khan")
PER_STEP = re.compile(r"\bbuoc\s+\d+\b")
NOT_A_LIMIT = re.compile(r"^\s*(theo mo ta|theo quy dinh|khong quy dinh)\b")
SENTENCE = re.compile(r"(?<=[.;:\n])\s+|\s+(?=\b[a-e]\)\s)|(?<![0-9])\s+(?=[-+]\s)|\t+")


@dataclass(frozen=True)
class ParsedLimit:
    """A limit in one of the catalog's units; ``note`` says what was chosen and why."""

    quantity: Decimal | None  # None only for the same day
    unit: str
    note: str = ""

    def approximate_hours(self) -> Decimal:
        if self.unit == TimeUnit.SAME_DAY:
            return Decimal(2)
        assert self.quantity is not None
        per_unit = {
            TimeUnit.WORKING_DAY: Decimal(8),
            TimeUnit.CALENDAR_DAY: Decimal(8) * 5 / 7,
            TimeUnit.WORKING_HOUR: Decimal(1),
        }
        return self.quantity * per_unit[TimeUnit(self.unit)]


def number(text: str) -> Decimal | None:
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None
    return value if value > 0 else None


def unit_of(word: str) -> tuple[str, Decimal]:
    """The catalog unit of a folded unit word, and what to multiply the quantity by."""
    if word.startswith("ngay lam"):
        return TimeUnit.WORKING_DAY, Decimal(1)
    if word.startswith("gio"):
        return TimeUnit.WORKING_HOUR, Decimal(1)
    if word == "thang":
        return TimeUnit.CALENDAR_DAY, Decimal(DAYS_PER_MONTH)
    return TimeUnit.CALENDAR_DAY, Decimal(1)


def sentences(folded: str) -> list[str]:
    return [part.strip(" -+\t") for part in SENTENCE.split(folded) if part.strip(" -+\t")]


def limits_in_sentence(sentence: str) -> list[ParsedLimit]:
    """Every limit one sentence states; a range counts once, by its upper bound."""
    text = CLOCK.sub(" ", sentence)
    found: list[ParsedLimit] = []
    for match in RANGE.finditer(text):
        low, high = number(match.group(1)), number(match.group(2))
        if high is None:
            continue
        unit, factor = unit_of(match.group(3))
        top = max(high, low or high) * factor
        found.append(ParsedLimit(top, unit, f"khoảng {match.group(0)}: lấy mức tối đa"))
    text = RANGE.sub(" ", text)
    for match in SINGLE.finditer(text):
        quantity = number(match.group(1))
        if quantity is None:
            continue
        unit, factor = unit_of(match.group(2))
        note = "01 tháng tính 30 ngày" if match.group(2) == "thang" else ""
        found.append(ParsedLimit(quantity * factor, unit, note))
    return found


def limits_in_text(text: str) -> list[ParsedLimit]:
    """Every limit the text states for the ordinary case (remote-commune extensions left out).

    An empty list means the text gives no limit we can use (or gives it per step)."""
    folded = " ".join(fold(text or "").split())
    if not folded or NOT_A_LIMIT.match(folded) or PER_STEP.search(folded):
        return []
    found: list[ParsedLimit] = []
    for sentence in sentences(folded):
        remote = REMOTE.search(sentence)
        if remote is not None:
            # What follows names the extension for remote communes, never the ordinary limit.
            sentence = sentence[: remote.start()]
        if SAME_DAY.search(sentence) and not SINGLE.search(CLOCK.sub(" ", sentence)):
            found.append(ParsedLimit(None, TimeUnit.SAME_DAY))
            continue
        found.extend(limits_in_sentence(sentence))
    if not found and SAME_DAY.search(folded):
        found.append(ParsedLimit(None, TimeUnit.SAME_DAY))
    return found


def longest(limits: list[ParsedLimit], why: str) -> ParsedLimit | None:
    """The longest limit, with a note naming the others when there were several."""
    if not limits:
        return None
    chosen = max(limits, key=ParsedLimit.approximate_hours)
    distinct = {(item.quantity, item.unit) for item in limits}
    if len(distinct) == 1:
        return chosen
    listed = "; ".join(limit_text(item) for item in limits)
    note = f"{why}: {listed}; lấy thời hạn dài nhất"
    return ParsedLimit(chosen.quantity, chosen.unit, note)


def limit_from_text(text: str) -> ParsedLimit | None:
    found = limits_in_text(text)
    return longest(found, "văn bản nêu nhiều thời hạn theo trường hợp")


def limit_parse(quantity: object, unit: object, text: str = "") -> ParsedLimit | None:
    """The limit of a record's ``{qty, unit}`` pair, else of its text (the qty itself when it is
    text, then ``text``); ``None`` when neither gives a usable one."""
    mapped = UNITS.get(str(unit))
    if mapped is not None and not isinstance(quantity, bool | str):
        value = number(str(quantity)) if quantity is not None else None
        if value is not None:
            return ParsedLimit(value, mapped)
    if str(unit) == "MONTH" and isinstance(quantity, int | float) and quantity > 0:
        days = Decimal(str(quantity)) * DAYS_PER_MONTH
        return ParsedLimit(days, TimeUnit.CALENDAR_DAY, "01 tháng tính 30 ngày")
    if isinstance(quantity, str):
        from_quantity = limit_from_text(quantity)
        if from_quantity is not None:
            return from_quantity
    return limit_from_text(text) if text else None


def limit_text(limit: ParsedLimit) -> str:
    """Vietnamese, for notes: "05 ngày làm việc", "trong ngày"."""
    if limit.unit == TimeUnit.SAME_DAY or limit.quantity is None:
        return "trong ngày"
    value = limit.quantity.normalize()
    shown = f"{value:f}".replace(".", ",") if value % 1 else f"{int(value):02d}"
    return f"{shown} {UNIT_NAMES[limit.unit]}"
