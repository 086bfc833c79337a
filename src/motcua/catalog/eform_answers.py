"""Answers to a procedure's e-form (JSON Schema): the form to fill, reading it back, validating it.

The schemas come from ``motcua.catalog.eforms``: objects nest (the applicant, the child, the mother…),
leaves are strings (text, date, e-mail, a choice), integers, numbers and booleans; arrays hold strings
(one per line) or small objects (repeated rows). Field names are dotted paths (``tre.ho_ten``,
``thanh_vien.0.ho_ten``) so that one flat POST maps back to the nested answer.

Validation is the schema's own (jsonschema, draft 2020-12); the messages are ours, in plain
Vietnamese, saying what to do rather than only what is wrong (UX.md).
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from motcua.common import clock

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError as SchemaError

DATE_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
EARLIEST = "1900-01-01"
DATE_TYPED = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")
EXTRA_ROWS = 1  # empty rows offered after the filled ones of a repeated group


@dataclass
class Field:
    """One input of the form."""

    name: str
    label: str
    widget: str  # text, textarea, lines, date, email, tel, number, select, checkbox
    required: bool = False
    value: Any = None
    choices: list[str] = field(default_factory=list)
    help: str = ""
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    error: str = ""
    group: str = ""  # the legend of its fieldset, to say whose field an error is about

    @property
    def dom_id(self) -> str:
        return "f-" + self.name.replace(".", "-")

    @property
    def shown(self) -> str:
        """The value as a person reads and types it: dates dd/mm/yyyy, lists one per line."""
        if self.value is None:
            return ""
        if self.widget == "date":
            return date_shown(str(self.value))
        if isinstance(self.value, list):
            return "\n".join(str(v) for v in self.value)
        return str(self.value)


def date_shown(value: str) -> str:
    try:
        return datetime.date.fromisoformat(value).strftime("%d/%m/%Y")
    except ValueError:
        return value  # what was typed, kept so that it can be corrected


@dataclass
class Group:
    """A fieldset: the fields of one object of the schema, with its title as legend."""

    name: str
    legend: str
    fields: list[Field]
    required: bool = False
    more: bool = False  # the last row of a repeated block: another row can be added after it


def widget_for(schema: Mapping[str, Any], name: str) -> str:
    kind = schema.get("type")
    if "enum" in schema:
        return "select"
    if kind == "boolean":
        return "checkbox"
    if kind in ("integer", "number"):
        return "number"
    if kind == "array":
        return "lines"
    fmt = schema.get("format")
    if fmt in ("date", "email"):
        return str(fmt)
    if name.rsplit(".", 1)[-1] == "so_dien_thoai":
        return "tel"
    if int(schema.get("maxLength", 255)) > 500:
        return "textarea"
    return "text"


def leaf(name: str, schema: Mapping[str, Any], required: bool, value: Any) -> Field:
    return Field(
        name=name,
        label=str(schema.get("title") or name),
        widget=widget_for(schema, name),
        required=required,
        value=schema.get("default") if value is None else value,
        choices=[str(c) for c in schema.get("enum", [])],
        help=str(schema.get("description", "")),
        max_length=schema.get("maxLength"),
        minimum=schema.get("minimum"),
        maximum=schema.get("maximum"),
    )


def groups_of(schema: Mapping[str, Any], data: Mapping[str, Any]) -> list[Group]:
    """The form's fieldsets in schema order; top-level leaves are gathered in a first group."""
    top = Group("", "", [])
    groups: list[Group] = [top]
    required = set(schema.get("required", []))
    for key, sub in schema.get("properties", {}).items():
        value = data.get(key)
        if sub.get("type") == "object":
            groups.append(
                object_group(key, sub, value if isinstance(value, dict) else {}, key in required)
            )
        elif sub.get("type") == "array" and sub.get("items", {}).get("type") == "object":
            groups.extend(row_groups(key, sub, value if isinstance(value, list) else []))
        else:
            top.fields.append(leaf(key, sub, key in required, value))
    return [g for g in groups if g.fields]


def object_group(
    name: str, schema: Mapping[str, Any], data: Mapping[str, Any], required: bool
) -> Group:
    inner = set(schema.get("required", []))
    fields = [
        leaf(f"{name}.{key}", sub, required and key in inner, data.get(key))
        for key, sub in schema.get("properties", {}).items()
    ]
    return Group(name, str(schema.get("title") or name), fields, required)


def row_groups(name: str, schema: Mapping[str, Any], rows: list[Any]) -> Iterator[Group]:
    """Repeated small objects (household members): the filled rows and one empty row more."""
    limit = int(schema.get("maxItems", 20))
    count = min(len(rows) + EXTRA_ROWS, limit)
    item = schema["items"]
    title = str(schema.get("title") or name)
    for index in range(count):
        data = rows[index] if index < len(rows) and isinstance(rows[index], dict) else {}
        group = object_group(f"{name}.{index}", item, data, required=False)
        group.legend = f"{title} ({index + 1})"
        group.more = index == count - 1 and count < limit
        # Inside an optional row, the row's own required fields are checked by the schema.
        yield group


# ------------------------------------------------------------------------- reading a POST
def parse(schema: Mapping[str, Any], post: Mapping[str, Any]) -> dict[str, Any]:
    """The nested answer from a flat POST: empty optional values are left out, not sent as ""."""
    answer: dict[str, Any] = {}
    for key, sub in schema.get("properties", {}).items():
        value = parse_value(key, sub, post)
        if value is not None:
            answer[key] = value
    return answer


def parse_value(name: str, schema: Mapping[str, Any], post: Mapping[str, Any]) -> Any:
    kind = schema.get("type")
    if kind == "object":
        inner = {
            key: parsed
            for key, sub in schema.get("properties", {}).items()
            if (parsed := parse_value(f"{name}.{key}", sub, post)) is not None
        }
        return inner or None
    if kind == "array":
        return parse_array(name, schema, post)
    if kind == "boolean":
        return post.get(name) in ("on", "true", "1")
    raw = str(post.get(name, "") or "").strip()
    if not raw:
        return None
    if kind in ("integer", "number"):
        return parse_number(raw, integer=kind == "integer")
    if schema.get("format") == "date":
        return parse_date(raw)
    return raw


def parse_array(name: str, schema: Mapping[str, Any], post: Mapping[str, Any]) -> Any:
    item = schema.get("items", {})
    if item.get("type") == "object":
        rows = []
        for index in range(int(schema.get("maxItems", 20))):
            row = parse_value(f"{name}.{index}", item, post)
            if row:
                rows.append(row)
        return rows or None
    lines = [line.strip() for line in str(post.get(name, "") or "").splitlines() if line.strip()]
    return lines or None


def parse_number(raw: str, *, integer: bool) -> Any:
    """Numbers as people type them in Vietnam: dots group thousands ("1.500.000")."""
    cleaned = raw.replace(" ", "")
    # Integers: dots and commas only group digits. Decimals: a comma is the decimal mark.
    cleaned = cleaned.replace(".", "").replace(",", "") if integer else cleaned.replace(",", ".")
    try:
        number = int(cleaned) if integer else float(cleaned)
    except ValueError:
        return raw  # left as text: the schema reports it as "not a number"
    # "inf" and "nan" parse as floats but are not numbers anyone means (nor valid JSON).
    return number if math.isfinite(number) else raw


def parse_date(raw: str) -> str:
    """ISO from a date input, or dd/mm/yyyy typed by hand; anything else is kept for the schema."""
    typed = DATE_TYPED.match(raw)
    if typed:
        day, month, year = (int(part) for part in typed.groups())
        try:
            return datetime.date(year, month, day).isoformat()
        except ValueError:
            return raw
    return raw


# ------------------------------------------------------------------------- validation
def validate(schema: Mapping[str, Any], answer: Mapping[str, Any]) -> dict[str, str]:
    """Field name → message, one message per field (the first that applies)."""
    # Imported here: jsonschema and its format checkers cost a process about 11 MB, and most
    # processes (the worker, a web worker serving the catalog or the worklist) never validate.
    from jsonschema import Draft202012Validator, FormatChecker

    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    errors: dict[str, str] = {}
    for error in sorted(validator.iter_errors(answer), key=lambda e: list(e.absolute_path)):
        name, message = describe(error, schema)
        errors.setdefault(name, message)
    errors.update({k: v for k, v in dates_in_future(schema, answer).items() if k not in errors})
    return errors


def subschema(schema: Mapping[str, Any], path: list[Any]) -> Mapping[str, Any]:
    current: Mapping[str, Any] = schema
    for part in path:
        if isinstance(part, int):
            current = current.get("items", {})
        else:
            current = current.get("properties", {}).get(part, {})
    return current


def describe(error: SchemaError, schema: Mapping[str, Any]) -> tuple[str, str]:
    path = list(error.absolute_path)
    if error.validator == "required":
        missing = re.findall(r"'([^']+)'", error.message)[:1]
        path = [*path, *missing]
    target = subschema(schema, path)
    name = ".".join(str(p) for p in path)
    label = str(target.get("title") or name)
    if error.validator == "format" and DATE_TYPED.match(str(error.instance)):
        return name, _(
            "%(label)s: ngày này không có trên lịch (ví dụ 31/02); hãy kiểm tra lại."
        ) % {"label": label}
    return name, message_for(str(error.validator), error.validator_value, target, label)


def message_for(kind: str, expected: Any, target: Mapping[str, Any], label: str) -> str:
    if kind == "required" or kind == "minItems":
        return _("Hãy nhập %(label)s.") % {"label": label.lower()}
    if kind == "pattern":
        return pattern_message(str(expected), label)
    if kind == "maxLength":
        return _("%(label)s: tối đa %(n)s ký tự.") % {"label": label, "n": expected}
    if kind == "format" and expected == "date":
        return _("%(label)s: nhập ngày theo dạng ngày/tháng/năm, ví dụ 05/03/2026.") % {
            "label": label
        }
    if kind == "format" and expected == "email":
        return _("Thư điện tử chưa đúng, ví dụ: ten@example.vn.")
    if kind == "enum":
        return _("%(label)s: hãy chọn một trong danh sách.") % {"label": label}
    if kind in ("minimum", "exclusiveMinimum"):
        return _("%(label)s: nhập số từ %(n)s trở lên.") % {"label": label, "n": expected}
    if kind in ("maximum", "exclusiveMaximum"):
        return _("%(label)s: nhập số không quá %(n)s.") % {"label": label, "n": expected}
    if kind == "type" and expected in ("integer", "number"):
        return _("%(label)s: nhập một số, ví dụ 1.500.000.") % {"label": label}
    return _("%(label)s chưa hợp lệ, hãy kiểm tra lại.") % {"label": label}


def pattern_message(pattern: str, label: str) -> str:
    if pattern == "^[0-9]{12}$":
        return _("Số định danh cá nhân gồm 12 chữ số, ví dụ 001090012345.")
    if pattern.startswith("^0[0-9]{9}"):
        return _("Số điện thoại gồm 10 chữ số, bắt đầu bằng 0, ví dụ 0912345678.")
    return _("%(label)s chưa đúng định dạng.") % {"label": label}


def dates_in_future(schema: Mapping[str, Any], answer: Mapping[str, Any]) -> dict[str, str]:
    """Births and deaths are declared after they happen: a date after today is a typing mistake,
    and so is one before 1900."""
    today = clock.today().isoformat()
    found: dict[str, str] = {}

    def walk(node: Any, sub: Mapping[str, Any], path: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(
                    value, sub.get("properties", {}).get(key, {}), f"{path}.{key}" if path else key
                )
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, sub.get("items", {}), f"{path}.{index}")
        elif (
            sub.get("format") == "date"
            and isinstance(node, str)
            and path.rsplit(".", 1)[-1] in ("ngay_sinh", "ngay_chet")
            and DATE_ISO.match(node)
        ):
            if node < EARLIEST:
                found[path] = _("%(label)s: năm phải từ 1900 trở đi.") % {
                    "label": sub.get("title", "")
                }
            elif node > today:
                found[path] = _("%(label)s không thể sau hôm nay.") % {
                    "label": sub.get("title", "")
                }

    walk(answer, schema, "")
    return found


def form_groups(
    schema: Mapping[str, Any], answer: Mapping[str, Any], errors: Mapping[str, str]
) -> list[Group]:
    """The fieldsets with the current answers and each field's error."""
    groups = groups_of(schema, answer)
    for group in groups:
        whole = errors.get(group.name, "") if group.name else ""
        for item in group.fields:
            item.group = group.legend
            item.error = errors.get(item.name, "")
            if whole and item.required and not item.error:
                # The whole block is missing: say which of its fields to fill, one by one.
                item.error = message_for("required", None, {}, item.label)
    return groups


def error_summary(groups: list[Group]) -> list[Field]:
    return [item for group in groups for item in group.fields if item.error]


def unplaced_errors(groups: list[Group], errors: Mapping[str, str]) -> list[str]:
    """Errors about no field or block on the page (they still belong in the summary)."""
    names = {f.name for g in groups for f in g.fields} | {g.name for g in groups}
    return [message for name, message in errors.items() if name not in names]
