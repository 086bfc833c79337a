"""The supervision dashboard (issue 17): the city (or the supervisor's unit), the units below it,
the late dossiers behind the late count, and the report as Excel and PDF.

Who sees what: the units in which the officer may view reports (a supervisor: their unit and
below; a leader: their unit). The city supervisor sees every unit. A unit outside one's scope
is answered 404, as a dossier outside it is."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.common.clock import now as clock_now
from motcua.common.text import without_controls
from motcua.dossiers.deadlines import local_date

from . import charts
from .compute import Period
from .dashboard import LATE_LIMIT, MAX_DAYS, Node, Tree, dashboard, late_dossiers, late_total
from .dashboard_breakdown import Focus, focus_of
from .dashboard_exports import pdf_bytes, xlsx_bytes
from .dashboard_tables import all_tables, focus_text, headline_cells, period_text, scope_name
from .figures import day, day_parse
from .rollup import catch_up
from .views import report_units


@dataclass
class Ask:
    """What the page was asked: the unit (None: the supervisor's whole scope) and the period."""

    tree: Tree
    node: Node | None
    allowed: set[int] | None
    period: Period
    error: str
    focus: Focus = field(default_factory=Focus)

    def query(self, **extra: str) -> str:
        """The page's own question (unit, field, procedure, period); ``extra`` changes a part of
        it, an empty value drops it."""
        found = {"from": day(self.period.start), "to": day(self.period.end)}
        if self.node is not None:
            found["unit"] = self.node.code
        if self.focus.field_id is not None:
            found["field"] = str(self.focus.field_id)
        if self.focus.procedure_code:
            found["procedure"] = self.focus.procedure_code
        return urlencode({k: v for k, v in {**found, **extra}.items() if v})


def default_period(today: datetime.date) -> Period:
    """The last twelve months, from the first day of the eleventh month back."""
    month = today.month - 11
    year = today.year + (month - 1) // 12
    return Period(datetime.date(year, (month - 1) % 12 + 1, 1), today)


def period_of(request: HttpRequest) -> tuple[Period, str]:
    fallback = default_period(local_date(clock_now()))
    start_text, end_text = request.GET.get("from", ""), request.GET.get("to", "")
    try:
        start = day_parse(start_text) if start_text.strip() else fallback.start
        end = day_parse(end_text) if end_text.strip() else fallback.end
    except ValueError as problem:
        return fallback, str(problem)
    if end < start or (end - start).days > MAX_DAYS or start.year < 1990 or end.year > 2100:
        return fallback, _("Chọn một khoảng không quá một năm, ngày đầu không sau ngày cuối.")
    return Period(start, end), ""


def ask_of(request: HttpRequest) -> Ask:
    """The unit asked for, checked against the officer's scope (403 without report rights, 404
    for a unit outside it), and the period."""
    user: User = request.user  # type: ignore[assignment]  # login_required
    units = report_units(user)
    tree = Tree()
    allowed = None if set(tree.nodes) <= units else units
    period, error = period_of(request)
    focus = focus_of(request.GET.get("field", "").strip(), request.GET.get("procedure", "").strip())
    if focus is None:
        raise Http404(_("Không có lĩnh vực hoặc thủ tục này."))
    code = request.GET.get("unit", "").strip()
    if code:
        pk = tree.by_code.get(code)
        if pk is None or (allowed is not None and pk not in allowed):
            raise Http404(_("Không có đơn vị này trong phạm vi giám sát của bạn."))
        return Ask(tree, tree.nodes[pk], allowed, period, error, focus)
    tops = tree.tops(allowed) if allowed is not None else []
    node = tree.nodes[tops[0]] if len(tops) == 1 else None
    return Ask(tree, node, allowed, period, error, focus)


def dashboard_of(ask: Ask) -> Any:
    catch_up()  # as fresh as the event log, as the API's figures are
    return dashboard(period=ask.period, tree=ask.tree, node=ask.node, allowed=ask.allowed,
                     focus=ask.focus)  # fmt: skip


@login_required
def dashboard_page(request: HttpRequest) -> HttpResponse:
    ask = ask_of(request)
    dash = dashboard_of(ask)
    tables = {table.key: table for table in all_tables(dash)}
    figures = {key: cell.text for key, (_label, cell) in headline_cells(dash).items()}
    breakdown_cells = tables["breakdown"].rows if "breakdown" in tables else []
    return render(request, "supervision/dashboard.html", {
        "ask": ask, "dash": dash, "tables": tables, "name": scope_name(dash), "figures": figures,
        "period_text": period_text(dash), "charts": charts.dashboard_charts(dash),
        "chain": chain_of(ask), **typed_period(request, ask),
        "focus_text": focus_text(dash), "focus_crumbs": focus_crumbs(ask, here=True),
        "unit_rows": [(row, cells[1:], ask.query(unit=row.node.code))
                      for row, cells in zip(dash.rows, tables["units"].rows, strict=True)],
        "breakdown_rows": [(row, cells[1:], breakdown_link(ask, row.key))
                           for row, cells in zip(dash.breakdown, breakdown_cells, strict=True)],
    })  # fmt: skip


def typed_period(request: HttpRequest, ask: Ask) -> dict[str, str]:
    """The period's fields: as typed when they were refused, so that the officer corrects a
    slip instead of typing both again (QA); the figures below are the default period's, which
    the page says."""
    if not ask.error:
        return {"start": day(ask.period.start), "end": day(ask.period.end)}
    return {key: without_controls(request.GET.get(name, ""))[:40]
            for key, name in (("start", "from"), ("end", "to"))}  # fmt: skip


def focus_crumbs(ask: Ask, *, here: bool) -> list[tuple[str, str]]:
    """(label, query) of the field and the procedure drilled into, after the units; the page
    itself (``here``) is not a link."""
    found = []
    if ask.focus.field_id is not None:
        found.append((ask.focus.field_name, ask.query(procedure="")))
    if ask.focus.procedure_code:
        found.append((f"{ask.focus.procedure_code} — {ask.focus.procedure_name}", ask.query()))
    if here and found:
        found[-1] = (found[-1][0], "")
    return found


def breakdown_link(ask: Ask, key: str) -> str:
    """The page one level down: the procedures of a field, or one procedure."""
    if not key:
        return ""
    if ask.focus.field_id is None:
        return ask.query(field=key)
    return ask.query(procedure=key)


def chain_of(ask: Ask) -> list[Node]:
    """The units above the one shown, and itself, that the officer may open."""
    if ask.node is None:
        return []
    return [n for n in ask.tree.chain(ask.node.pk) if ask.allowed is None or n.pk in ask.allowed]


@login_required
def late_page(request: HttpRequest) -> HttpResponse:
    """The late dossiers behind the late count, ``LATE_LIMIT`` a page (QA: the 201st was
    nowhere to be seen)."""
    ask = ask_of(request)
    catch_up()
    total = late_total(period=ask.period, tree=ask.tree, node=ask.node, allowed=ask.allowed,
                       focus=ask.focus)  # fmt: skip
    pages = max(1, -(-total // LATE_LIMIT))
    page = min(page_number(request.GET.get("trang", "")), pages)
    late = late_dossiers(period=ask.period, tree=ask.tree, node=ask.node, allowed=ask.allowed,
                         focus=ask.focus, limit=LATE_LIMIT, offset=(page - 1) * LATE_LIMIT)  # fmt: skip
    name = ask.node.name if ask.node is not None else _("Toàn thành phố Hà Nội")
    return render(request, "supervision/dashboard_late.html", {
        "ask": ask, "late": late, "name": name, "chain": chain_of(ask),
        "focus_crumbs": focus_crumbs(ask, here=False),
        "start": day(ask.period.start), "end": day(ask.period.end), "total": total,
        "page": page, "pages": pages, "first": (page - 1) * LATE_LIMIT + 1,
        "last": (page - 1) * LATE_LIMIT + len(late),
        "previous": ask.query(trang=str(page - 1)) if page > 1 else "",
        "next": ask.query(trang=str(page + 1)) if page < pages else "",
    })  # fmt: skip


def page_number(text: str) -> int:
    """A page number from the address: a bad or absurd one is the first page, never an error."""
    text = text.strip()
    return int(text) if text.isdigit() and 0 < len(text) <= 6 and int(text) > 0 else 1


def report_name(ask: Ask, extension: str) -> str:
    code = ask.node.code if ask.node is not None else "thanh-pho"
    span = f"{ask.period.start:%Y%m%d}-{ask.period.end:%Y%m%d}"
    return f"bao-cao-giam-sat-{code}-{span}.{extension}"


# The late dossiers a report lists: a sheet holds thousands; a printed report the first pages'
# worth (both say how many there are in all).
EXPORT_LATE = {"xlsx": 10_000, "pdf": LATE_LIMIT}


def report_file(request: HttpRequest, extension: str) -> HttpResponse:
    ask = ask_of(request)
    if ask.error:
        return HttpResponse(ask.error, status=400, content_type="text/plain; charset=utf-8")
    dash = dashboard_of(ask)
    late = late_dossiers(period=ask.period, tree=ask.tree, node=ask.node, allowed=ask.allowed,
                         focus=ask.focus, limit=EXPORT_LATE[extension])  # fmt: skip
    if extension == "xlsx":
        body = xlsx_bytes(dash, late)
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body, kind = pdf_bytes(dash, late), "application/pdf"
    answer = HttpResponse(body, content_type=kind)
    answer["Content-Disposition"] = f'attachment; filename="{report_name(ask, extension)}"'
    return answer


@login_required
def report_xlsx(request: HttpRequest) -> HttpResponse:
    return report_file(request, "xlsx")


@login_required
def report_pdf(request: HttpRequest) -> HttpResponse:
    return report_file(request, "pdf")
