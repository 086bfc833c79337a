"""The dashboard's figures as tables of raw values — the one source of the page's data tables,
the Excel workbook and the PDF report, so that the three say the same."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import get_language, gettext_lazy, pgettext
from django.utils.translation import gettext as _

from .dashboard import Dashboard
from .dashboard_breakdown import FIELD, PROCEDURE
from .figures import day, number, percent
from .registry import GROUPS, indicators_in_force

# How a cell is written: a percentage, days (two decimals), a count, points (two decimals), text.
PERCENT, DAYS, COUNT, POINTS, TEXT = "percent", "days", "count", "points", "text"


@dataclass(frozen=True)
class Cell:
    value: Any
    kind: str = TEXT

    @property
    def text(self) -> str:
        if self.kind == TEXT:
            return str(self.value)
        if self.kind == PERCENT:
            return percent(self.value)
        return number(self.value, 0 if self.kind == COUNT else 2)


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list[Cell]]


def english() -> bool:
    return (get_language() or "vi").startswith("en")


def scope_name(dash: Dashboard) -> str:
    return dash.node.name if dash.node is not None else _("Toàn thành phố Hà Nội")


def focus_text(dash: Dashboard) -> str:
    """The field or procedure drilled into, if any ("" for every one)."""
    focus = dash.focus
    parts = []
    if focus.field_id is not None:
        parts.append(_("Lĩnh vực: %(name)s") % {"name": focus.field_name})
    if focus.procedure_code:
        parts.append(_("Thủ tục: %(name)s (%(code)s)") % {
            "name": focus.procedure_name, "code": focus.procedure_code})  # fmt: skip
    return "; ".join(parts)


def period_text(dash: Dashboard) -> str:
    return _("Từ %(start)s đến %(end)s") % {
        "start": day(dash.period.start), "end": day(dash.period.end)
    }  # fmt: skip


def headline_cells(dash: Dashboard) -> dict[str, tuple[str, Cell]]:
    """The headline figures by key: (what it is, its value)."""
    found = dash.report["indicators"]
    return {
        "on_time": (_("Tỷ lệ hồ sơ giải quyết đúng hạn (2.1)"), Cell(found["2.1"]["value"], PERCENT)),
        "index": (_("Chỉ số phục vụ người dân, doanh nghiệp (766), điểm"),
                  Cell(dash.report["total"], POINTS)),
        "index_max": (_("Điểm tối đa của các chỉ số đã tính"),
                      Cell(dash.report["total_counted_max"], POINTS)),
        "late": (_("Số hồ sơ trễ hạn"), Cell(dash.late, COUNT)),
        "judged": (_("Số hồ sơ được xét đúng hạn, trễ hạn"), Cell(dash.counts.judged, COUNT)),
        "satisfaction": (_("Mức độ hài lòng (5.4)"), Cell(found["5.4"]["value"], PERCENT)),
        "online": (_("Tỷ lệ hồ sơ nộp trực tuyến (3.3)"), Cell(found["3.3"]["value"], PERCENT)),
    }  # fmt: skip


def headline(dash: Dashboard) -> Table:
    rows = [[Cell(label), cell] for label, cell in headline_cells(dash).values()]
    return Table("headline", _("Số liệu chính"), [_("Chỉ tiêu"), _("Giá trị")], rows)


def groups(dash: Dashboard) -> Table:
    rows = []
    for group in GROUPS:
        found = dash.report["groups"][group.code]
        name = group.name_en if english() else group.name_vi
        rows.append([Cell(f"{group.code}. {name}"), Cell(found["score"], POINTS),
                     Cell(found["counted_max"], POINTS), Cell(group.max_points, POINTS)])  # fmt: skip
    rows.append([Cell(_("Tổng điểm")), Cell(dash.report["total"], POINTS),
                 Cell(dash.report["total_counted_max"], POINTS), Cell(100, POINTS)])  # fmt: skip
    headers = [pgettext("766 indicator group", "Nhóm"), _("Điểm"), _("Điểm tối đa đã tính"),
               _("Điểm tối đa")]  # fmt: skip
    return Table("groups", _("Chỉ số 766 theo nhóm"), headers, rows)


def indicators(dash: Dashboard) -> Table:
    rows = []
    for indicator in indicators_in_force(dash.period.end):
        found = dash.report["indicators"][indicator.code]
        name = indicator.name_en if english() else indicator.name_vi
        average = indicator.kind == "average"
        if average:  # its numerator and value are days, not dossiers nor a percentage
            name = f"{name} ({_('ngày')})"
        rows.append([Cell(indicator.code), Cell(name), Cell(found["num"], DAYS if average else COUNT),
                     Cell(found["den"], COUNT), Cell(found["value"], DAYS if average else PERCENT),
                     Cell(found["reason_en" if english() else "reason"] or "")])  # fmt: skip
    # The note says why a value is N/A or how it was qualified (3.3 times the sync rate 1.4).
    headers = [_("Mã"), _("Chỉ số"), _("Tử số"), _("Mẫu số"), _("Giá trị"), _("Ghi chú")]
    return Table("indicators", _("Các chỉ số theo Quyết định 766/QĐ-TTg"), headers, rows)


def units(dash: Dashboard) -> Table:
    rows = []
    for row in dash.rows:
        name = row.node.name + (f" ({_('trực tiếp')})" if row.own else "")
        rows.append([Cell(name), Cell(row.counts.handled, COUNT), Cell(row.on_time_rate, PERCENT),
                     Cell(row.late, COUNT), Cell(row.online_rate, PERCENT),
                     Cell(row.satisfaction, PERCENT)])  # fmt: skip
    headers = [_("Đơn vị"), _("Hồ sơ xử lý"), _("Đúng hạn"), _("Trễ hạn"), _("Nộp trực tuyến (chưa nhân 1.4)"),
               _("Hài lòng (5.4)")]  # fmt: skip
    return Table("units", _("Xếp hạng đơn vị theo tỷ lệ đúng hạn"), headers, rows)


def unit_index(dash: Dashboard) -> Table:
    """Each unit's Decision 766 index and its group scores (``compute.scores`` of its counts)."""
    rows = []
    for row in dash.rows:
        name = row.node.name + (f" ({_('trực tiếp')})" if row.own else "")
        found = row.report
        rows.append([Cell(name)]
                    + [Cell(row.group_score(group.code), POINTS) for group in GROUPS]
                    + [Cell(row.index, POINTS), Cell(found.get("total_counted_max"), POINTS)])  # fmt: skip
    headers = [_("Đơn vị")] + [_("Nhóm %(code)s") % {"code": g.code} for g in GROUPS]
    headers += [_("Tổng điểm"), _("Điểm tối đa đã tính")]
    return Table("unit_index", _("Chỉ số phục vụ (766) của từng đơn vị"), headers, rows)


def breakdown(dash: Dashboard) -> Table:
    """The fields of the scope, or the procedures of the field drilled into."""
    rows = []
    for row in dash.breakdown:
        name = f"{row.key} — {row.name}" if row.kind == PROCEDURE and row.key else row.name
        rows.append([Cell(name), Cell(row.counts.handled, COUNT), Cell(row.on_time_rate, PERCENT),
                     Cell(row.late, COUNT), Cell(row.online_rate, PERCENT),
                     Cell(row.satisfaction, PERCENT), Cell(row.index, POINTS)])  # fmt: skip
    by_field = dash.focus.breakdown_kind == FIELD
    headers = [_("Lĩnh vực") if by_field else _("Thủ tục"), _("Hồ sơ xử lý"), _("Đúng hạn"),
               _("Trễ hạn"), _("Nộp trực tuyến (chưa nhân 1.4)"), _("Hài lòng (5.4)"), _("Chỉ số 766")]  # fmt: skip
    title = _("Theo lĩnh vực") if by_field else _("Theo thủ tục")
    return Table("breakdown", title, headers, rows)


def months(dash: Dashboard) -> Table:
    rows = [[Cell(m.label), Cell(m.counts.judged, COUNT), Cell(m.on_time_rate, PERCENT),
             Cell(m.counts.received, COUNT), Cell(m.online_rate, PERCENT)]
            for m in dash.months]  # fmt: skip
    headers = [_("Tháng"), _("Hồ sơ được xét"), _("Đúng hạn"), _("Hồ sơ tiếp nhận"),
               _("Nộp trực tuyến (chưa nhân 1.4)")]  # fmt: skip
    return Table("months", _("Theo tháng"), headers, rows)


# The kinds of linked bundles by their short names (the definitions' names are the long ones).
BUNDLE_KINDS = {
    "birth": gettext_lazy("Liên thông khai sinh"),
    "death": gettext_lazy("Liên thông khai tử"),
}


def bundle_kind(kind: str) -> str:
    return str(BUNDLE_KINDS.get(kind, kind))


def bundles(dash: Dashboard) -> Table:
    """Linked bundles by kind, receiving unit and month, and whether the whole bundle was on
    time (``bundle_figures``); a total row per kind."""
    figures = dash.bundles
    rows = []
    for row in figures.rows:
        rows.append([Cell(bundle_kind(row.kind)), Cell(figures.unit_names.get(row.unit_id, "")),
                     Cell(row.month.strftime("%m/%Y")), Cell(row.received, COUNT),
                     Cell(row.finished, COUNT), Cell(row.on_time, COUNT), Cell(row.late, COUNT),
                     Cell(row.on_time_rate, PERCENT)])  # fmt: skip
    for kind in sorted({row.kind for row in figures.rows}):
        total = figures.total(kind)
        rows.append([Cell(bundle_kind(kind)), Cell(_("Tổng")), Cell(""), Cell(total.received, COUNT),
                     Cell(total.finished, COUNT), Cell(total.on_time, COUNT), Cell(total.late, COUNT),
                     Cell(total.on_time_rate, PERCENT)])  # fmt: skip
    headers = [_("Nhóm liên thông"), _("Đơn vị tiếp nhận"), _("Tháng"), _("Tiếp nhận"),
               _("Đã kết thúc"), _("Cả nhóm đúng hạn"), _("Cả nhóm trễ hạn"), _("Tỷ lệ đúng hạn")]  # fmt: skip
    return Table("bundles", _("Hồ sơ liên thông theo nhóm, đơn vị và tháng"), headers, rows)


def bundle_members(dash: Dashboard) -> Table:
    """Each member procedure of the bundles above, on time by the rule of 2.1."""
    rows = [[Cell(bundle_kind(m.kind)), Cell(m.name_en if english() else m.name),
             Cell(m.judged, COUNT), Cell(m.on_time, COUNT), Cell(m.late, COUNT),
             Cell(m.on_time_rate, PERCENT)] for m in dash.bundles.members]  # fmt: skip
    headers = [_("Nhóm liên thông"), _("Thủ tục thành phần"), _("Hồ sơ được xét"), _("Đúng hạn"),
               _("Trễ hạn"), _("Tỷ lệ đúng hạn")]  # fmt: skip
    return Table(
        "bundle_members", _("Thủ tục thành phần của hồ sơ liên thông: đúng hạn"), headers, rows
    )


def all_tables(dash: Dashboard) -> list[Table]:
    found = [headline(dash), groups(dash), indicators(dash), units(dash), unit_index(dash)]
    if dash.focus.breakdown_kind is not None:
        found.append(breakdown(dash))
    return [*found, months(dash), bundles(dash), bundle_members(dash)]
