"""Personal data taken out of a feedback's text before it is published (Luật Bảo vệ dữ liệu cá
nhân; the public page shows what was asked and answered, never who asked).

Two passes. What the system knows about the people involved (the sender's name, ID number, phone,
e-mail and address, the dossier's applicant, the officer named) is found wherever it is written,
with or without accents and in any case. Then patterns catch what it does not know: e-mail
addresses, phone numbers, long digit runs (ID numbers, tax codes), dossier codes, a name after a
form of address ("ông", "bà", "anh", "chị", "tôi là"…), and addresses (after "địa chỉ", "trú
tại"…, a house number before a street name, "ngõ 5"). Each is replaced by a label in brackets so
that the text still reads. Redacting twice changes nothing more.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

NAME = "[họ tên]"
ID_NUMBER = "[số định danh]"
PHONE = "[số điện thoại]"
EMAIL = "[thư điện tử]"
ADDRESS = "[địa chỉ]"
DOSSIER_CODE = "[mã hồ sơ]"
SOCIAL = "[tài khoản mạng xã hội]"
PLATE = "[biển số xe]"
BIRTH = "[ngày sinh]"
LABELS = (NAME, ID_NUMBER, PHONE, EMAIL, ADDRESS, DOSSIER_CODE, SOCIAL, PLATE, BIRTH)

# Latin capitals, Vietnamese ones included: listed, since Unicode interleaves the capitals and
# the small letters of Latin Extended Additional (a range "À-Ỹ" would take "ở" for a capital).
UPPER = re.escape(
    "".join(
        chr(code)
        for start, end in ((0x41, 0x5A), (0xC0, 0x24F), (0x1E00, 0x1EFF))
        for code in range(start, end + 1)
        if chr(code).isupper()
    )
)
CAPITALISED = rf"(?=[{UPPER}])[^\W\d_]+"  # a word that starts with a capital letter

# With or without a dot after the host ("an@localhost" is an address too).
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*")
# An address disguised from robots: "an [at] gmail [dot] com", "an (a) gmail chấm vn", "an @ gmail.com".
AT = r"(?:\s*(?:\[at\]|\(at\)|\{at\}|\[a\]|\(a\)|@)\s*|\s+(?:at|a còng)\s+)"
DOT = r"(?:\s*(?:\.|\[dot\]|\(dot\)|\[\.\]|\(\.\))\s*|\s+(?:dot|chấm)\s+)"
DISGUISED_EMAIL_RE = re.compile(
    rf"[\w+-]+(?:{DOT}[\w+-]+)*{AT}[\w-]+(?:{DOT}[\w-]+)*{DOT}(?:com|vn|net|org|edu|gov|info|io)\b",
    re.IGNORECASE,
)
# A social network account: "facebook.com/nguyenvanan.92", "zalo: nguyenvanan92".
SOCIAL_RE = re.compile(
    r"(?i:\b(?:www\.)?(?:facebook|fb|zalo|tiktok|instagram|youtube|t)\.(?:com|me|vn)/)[\w.\-@]+"
    r"|(?i:\b(?:zalo|facebook|fb|telegram|viber|tiktok|instagram)\s*[:：]\s*)[\w.\-@]+"
)
# A Vietnamese number plate: "29A-123.45", "30E 12345", "29-B1 123.45".
PLATE_RE = re.compile(r"\b\d{2}\s?-?\s?[A-Z]{1,2}\d?\s?-?\s?\d{3}\.?\d{1,2}\b")
# A date of birth, after the words that give it.
BIRTH_RE = re.compile(
    r"(?i:\b(?:sinh ngày|ngày sinh|ngày tháng năm sinh|sinh năm|năm sinh)(?:\s+là)?)"
    r"(\s*:?\s*)(\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{2,4}|\d{4})"
)
# A passport ("B1234567", "C 1234567"): one capital, seven digits.
PASSPORT_RE = re.compile(r"(?<![\w.])[A-Z]\s?\d{7}(?![\w.])")
DOSSIER_CODE_RE = re.compile(r"\b[A-Z]\d{2}\.[\w.]+-\d{6}-\d{4}\b")
# A citizen ID (CCCD: 12 digits, province code first) written in groups: "001.090.012.345".
# Between the digits of a number: nothing, a space, a dot or a dash (spaced or not: "0912 - 345"),
# or the bracket closing an area code ("(0912) 345 678").
SEP = r"(?: ?[.\-] ?| |\) ?)?"
CCCD_RE = re.compile(rf"(?<![\w.,+])\(?0\d{{2}}(?:{SEP}\d){{9}}(?!{SEP}\d)")
PHONE_RE = re.compile(rf"(?<![\w+])\(?(?:\+84|84|0)(?:{SEP}\d){{8,10}}(?!\d)")
# 9 digits or more (ID cards, tax codes); not with dots, which write sums of money.
DIGITS_RE = re.compile(r"(?<![\d.,])\d(?: ?\d){8,}(?![\d])")
HONORIFIC = (
    r"ông|bà|anh|chị|em|cô|chú|bác|cháu|cụ|tôi là|tôi tên là|tên tôi là|tôi tên|tên là|họ tên|"
    r"họ và tên|người nộp|công dân"
)
NAME_RE = re.compile(
    rf"(?<!\[)(?i:\b(?:{HONORIFIC}))(\s*:\s*|\s+)((?-i:{CAPITALISED})(?:\s+(?-i:{CAPITALISED})){{0,4}})"
)
# A name without a form of address, led by one of the commonest family names ("Nguyễn Thị
# Mai đã nộp"), three or four capitalised words; not a street, a place or a school named after
# someone ("phố Lê Duẩn", "trường Trần Phú"), which say nothing about a person involved. Family
# names that also begin place names (Hà Nội, Cao Bằng, Thái Bình, Từ Liêm…) are left out, and
# two words are not enough ("Hoàng Mai" is a district, "Nguyễn Trãi" a street).
FAMILY = (
    r"Nguyễn|Trần|Lê|Phạm|Hoàng|Huỳnh|Phan|Vũ|Võ|Đặng|Bùi|Đỗ|Ngô|Dương|Đinh|Đoàn|Trịnh|"
    r"Trương|Lương|Quách|Kiều|Vương"
)
PLACE_BEFORE = (
    r"phố|đường|ngõ|ngách|phường|xã|quận|huyện|tỉnh|thành phố|tp\.?|trường|thpt|thcs|"
    r"bệnh viện|chợ|cầu|công viên|hồ|sông|tượng đài|khu|tòa|lăng|đền|chùa|nhà văn hóa|số"
)
FAMILY_NAME_RE = re.compile(rf"(?<![\w\[])(?:{FAMILY})(?:\s+(?-i:{CAPITALISED})){{2,3}}(?!\w)")
PLACE_BEFORE_RE = re.compile(rf"(?i:\b(?:{PLACE_BEFORE}))\s+$")
# After a form of address, a name written in small letters when a family name leads it.
LOWER_NAME_RE = re.compile(
    rf"(?<!\[)(?i:\b(?:{HONORIFIC}))(\s*:\s*|\s+)"
    rf"((?i:{FAMILY})(?:\s+(?!(?:và|đã|có|là|ở|đến|nộp|được|thì|nhưng)\b)[^\W\d_]+){{1,3}})",
)
# "tôi tên là nguyễn văn an": a name introduced as such is taken even when written in small
# letters (up to four words, stopping at punctuation or at a word that cannot be part of a name).
NOT_NAME = r"và|tôi|đã|có|muốn|xin|là|ở|sinh|hỏi|nộp|cần|đang|được|thì|nhưng|trú|địa|số|điện|gọi"
INTRODUCED_RE = re.compile(
    rf"(?i:\b(?:(?:tôi tên là|tên tôi là|tôi tên)(?:\s*:\s*|\s+)|(?:họ và tên|họ tên)\s*:\s*))"
    rf"(?P<name>(?!(?:{NOT_NAME})\b)[^\W\d_]+(?:\s+(?!(?:{NOT_NAME})\b)[^\W\d_]+){{0,3}})",
    re.IGNORECASE,
)
# A number grouped with one other separator throughout ("0912/345/678", "001_090_012_345"):
# groups of 3 or 4 digits after a first of 3 or more, so dates ("02/03/2026") and sums stay.
GROUPED_RE = re.compile(r"(?<![\w.,/])0\d{2,4}(?P<sep>[/_,])\d{3,4}(?:(?P=sep)\d{3,4})+(?![\w/])")
# Letters o/O written for zeros inside a long number ("O912 345 678", "0o1090012345").
ZERO_LETTERS_RE = re.compile(r"(?<![^\W\d_])[0-9oO](?:[ .\-]?[0-9oO]){8,11}(?![^\W\d_])")
# What a pattern left of a number written in more groups than it took ("[số điện thoại].345").
LEFTOVER_RE = re.compile(rf"({re.escape(PHONE)}|{re.escape(ID_NUMBER)})(?:{SEP}\d)+")
ADDRESS_AFTER_RE = re.compile(
    r"(?<!\[)(?i:\b(?:địa chỉ|trú tại|cư trú tại|thường trú tại|tạm trú tại|ở tại|nơi ở|sống tại|nhà ở))"
    r"(\s*(?::|là)?\s*)([^.;\n\[]+)"
)
HOUSE_RE = re.compile(
    rf"(?i:\b(?:số nhà|nhà số|số)\s+)?\b\d+[A-Za-z]?(?:/\d+[A-Za-z]?)*,?\s+"
    rf"(?i:(?:phố|đường|ngõ|ngách|hẻm|thôn|xóm|tổ)\s+)?"
    rf"(?-i:{CAPITALISED})(?:\s+(?-i:{CAPITALISED}))+"
)
# Where one lives, a street without its number: "tôi ở phố Hàng Bạc".
STREET_RE = re.compile(
    rf"(?i:\b(?:ở|sống ở|nhà ở|tại|sống tại)\s+)"
    rf"((?i:phố|đường|ngõ|ngách|hẻm|thôn|xóm|tổ dân phố)\s+(?-i:{CAPITALISED})(?:\s+(?-i:{CAPITALISED}))*)"
)
LANE_RE = re.compile(r"(?i:\b(?:ngõ|ngách|hẻm|kiệt|số nhà|nhà số))\s+\d+[\w/]*")
MIN_KNOWN = 3  # shorter "known" values (an initial, a stray digit) would redact ordinary words


def fold_char(char: str) -> str:
    """One character without its marks, lowercased, "đ" → "d": one character for one, so that a
    match in the folded text is the same span in the original."""
    if char in "đĐ":
        return "d"
    base = unicodedata.normalize("NFD", char)[:1].casefold()
    return base if len(base) == 1 else char


def folded(text: str) -> str:
    return "".join(fold_char(char) for char in text)


def known_spans(text: str, known: Iterable[str]) -> list[tuple[int, int]]:
    """Where each known value is written (accents, case and spacing aside), as whole words; a
    number also written in groups ("0912 345 678", "0912.345.678")."""
    haystack = folded(text)
    spans = []
    for value in known:
        words = folded(" ".join((value or "").split())).split(" ")
        needle = r"\s+".join(re.escape(word) for word in words if word)
        if needle.isdigit():
            needle = r"[ .\-]?".join(needle)
        if len(needle) < MIN_KNOWN:
            continue
        for found in re.finditer(rf"(?<!\w){needle}(?!\w)", haystack):
            spans.append(found.span())
    return spans


def replace_spans(text: str, spans: list[tuple[int, int]], label: str) -> str:
    for start, end in sorted(merged(spans), reverse=True):
        text = text[:start] + label + text[end:]
    return text


def merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    result: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if result and start <= result[-1][1]:
            result[-1] = (result[-1][0], max(end, result[-1][1]))
        else:
            result.append((start, end))
    return result


def redact(
    text: str,
    *,
    names: Iterable[str] = (),
    numbers: Iterable[str] = (),
    phones: Iterable[str] = (),
    addresses: Iterable[str] = (),
) -> str:
    """``text`` with personal data replaced by labels; ``names``, ``numbers`` (ID numbers, tax
    codes), ``phones`` and ``addresses`` are the values known to belong to the people involved."""
    out = unicodedata.normalize("NFC", text or "")  # "u" + combining acute is one letter "ú"
    out = invisible_dropped(out)
    out = replace_spans(out, known_spans(out, addresses), ADDRESS)
    out = SOCIAL_RE.sub(SOCIAL, out)
    out = DISGUISED_EMAIL_RE.sub(EMAIL, out)
    out = EMAIL_RE.sub(EMAIL, out)
    out = BIRTH_RE.sub(lambda m: m.group(0)[: m.start(2) - m.start(0)] + BIRTH, out)
    out = PLATE_RE.sub(PLATE, out)
    out = PASSPORT_RE.sub(ID_NUMBER, out)
    out = ZERO_LETTERS_RE.sub(zeros_read, out)
    out = DOSSIER_CODE_RE.sub(DOSSIER_CODE, out)
    out = replace_spans(out, known_spans(out, phones), PHONE)
    out = replace_spans(out, known_spans(out, numbers), ID_NUMBER)
    out = CCCD_RE.sub(ID_NUMBER, out)
    out = PHONE_RE.sub(PHONE, out)
    out = GROUPED_RE.sub(grouped_number, out)
    out = DIGITS_RE.sub(ID_NUMBER, out)
    out = LEFTOVER_RE.sub(lambda m: m.group(1), out)
    out = replace_spans(out, known_spans(out, names), NAME)
    out = replace_spans(out, given_name_spans(out, names), NAME)
    out = NAME_RE.sub(lambda m: m.group(0)[: m.start(2) - m.start(0)] + NAME, out)
    out = LOWER_NAME_RE.sub(lambda m: m.group(0)[: m.start(2) - m.start(0)] + NAME, out)
    out = FAMILY_NAME_RE.sub(family_name, out)
    out = INTRODUCED_RE.sub(lambda m: m.group(0)[: m.start("name") - m.start(0)] + NAME, out)
    out = ADDRESS_AFTER_RE.sub(address_after, out)
    out = HOUSE_RE.sub(ADDRESS, out)
    out = STREET_RE.sub(lambda m: m.group(0)[: m.start(1) - m.start(0)] + ADDRESS, out)
    return LANE_RE.sub(ADDRESS, out)


def family_name(match: re.Match[str]) -> str:
    """A name led by a family name, unless it names a street, a place or a school."""
    before = match.string[max(0, match.start() - 20) : match.start()]
    return match.group(0) if PLACE_BEFORE_RE.search(before) else NAME


def given_name_spans(text: str, names: Iterable[str]) -> list[tuple[int, int]]:
    """A known name's last two words written on their own ("Văn An" of "Nguyễn Văn An"), when
    capitalised as a name is: in small letters they are ordinary words too often ("văn an")."""
    parts = [" ".join(name.split()[-2:]) for name in names if len((name or "").split()) >= 3]
    return [
        (start, end) for start, end in known_spans(text, parts) if text[start : start + 1].isupper()
    ]


def invisible_dropped(text: str) -> str:
    """Without format characters (zero-width space, soft hyphen…): invisible on the page, they
    would otherwise split "0912\u200b345\u200b678" into pieces no pattern takes."""
    return "".join(char for char in text if unicodedata.category(char) != "Cf")


def address_after(match: re.Match[str]) -> str:
    """ "địa chỉ: 12 Hàng Bạc, Hoàn Kiếm" → "địa chỉ: [địa chỉ]" (up to the sentence's end)."""
    rest = match.group(2)
    if not rest.strip() or rest.strip() in LABELS:
        return match.group(0)
    kept = match.group(0)[: match.start(2) - match.start(0)]
    trailing = rest[len(rest.rstrip()) :]
    return kept + ADDRESS + trailing


def zeros_read(match: re.Match[str]) -> str:
    """The run with its letters o read as zeros, when it is mostly digits (so words stay)."""
    run = match.group(0)
    if sum(char.isdigit() for char in run) < 6 or run.isdigit():
        return run
    return run.replace("o", "0").replace("O", "0")


def grouped_number(match: re.Match[str]) -> str:
    digits = sum(char.isdigit() for char in match.group(0))
    if digits == 12:
        return ID_NUMBER
    return PHONE if 10 <= digits <= 11 else match.group(0)
