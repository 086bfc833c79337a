"""Bar charts drawn on the server as SVG (no script, no chart library): the geometry here, the
markup in ``supervision/_chart.html`` (the page) and ``pdf_charts`` (the PDF report), which gives each chart a title and a description for
screen readers and the same figures as a table under it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from .figures import percent

if TYPE_CHECKING:
    from .dashboard import Dashboard

WIDTH = 640
BAR_GAP = 6
LEFT = 40  # room for the axis labels (vertical charts) …
LABEL_WIDTH = 220  # … or the unit names (horizontal charts)
TOP, BOTTOM = 12, 40
ROW_HEIGHT = 24
PLOT_HEIGHT = 180
COLOURS = ("#0b4f9c", "#a3131a")  # link blue, brand red: AA against white


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    text: str  # the value as written
    x: float
    y: float
    width: float
    height: float
    label_x: float
    label_y: float
    text_x: float
    text_y: float


@dataclass(frozen=True)
class Chart:
    key: str  # ids of its title and description
    title: str
    description: str
    width: int
    height: int
    horizontal: bool
    bars: list[Bar]
    ticks: list[tuple[float, str]]  # (position, "50 %")
    colour: str
    value_header: str


def columns(
    key: str, title: str, description: str, items: list[tuple[str, float | None]],
    value_header: str, colour: str = COLOURS[0],
) -> Chart:  # fmt: skip
    """Vertical bars of percentages (0–100), one per item (the months)."""
    plot_width = WIDTH - LEFT - 8
    slot = plot_width / max(1, len(items))
    base = TOP + PLOT_HEIGHT
    bars = []
    for index, (label, value) in enumerate(items):
        height = PLOT_HEIGHT * max(0.0, min(100.0, value or 0.0)) / 100
        x = LEFT + index * slot + BAR_GAP / 2
        bars.append(Bar(label, value, percent(value), x, base - height, slot - BAR_GAP, height,
                        x + (slot - BAR_GAP) / 2, base + 16, x + (slot - BAR_GAP) / 2,
                        base - height - 4))  # fmt: skip
    ticks = [(base - PLOT_HEIGHT * share / 100, f"{share} %") for share in (0, 50, 100)]
    return Chart(key, title, description, WIDTH, base + BOTTOM, False, bars, ticks, colour,
                 value_header)  # fmt: skip


def ranking(
    key: str, title: str, description: str, items: list[tuple[str, float | None]],
    value_header: str, colour: str = COLOURS[1],
) -> Chart:  # fmt: skip
    """Horizontal bars of percentages, one row per item (the units), in the order given."""
    plot_width = WIDTH - LABEL_WIDTH - 70
    bars = []
    for index, (label, value) in enumerate(items):
        y = TOP + index * ROW_HEIGHT
        width = plot_width * max(0.0, min(100.0, value or 0.0)) / 100
        bars.append(Bar(shorten(label), value, percent(value), LABEL_WIDTH, y, width,
                        ROW_HEIGHT - BAR_GAP, LABEL_WIDTH - 6, y + ROW_HEIGHT / 2 + 4,
                        LABEL_WIDTH + width + 4, y + ROW_HEIGHT / 2 + 4))  # fmt: skip
    height = TOP + max(1, len(items)) * ROW_HEIGHT + 8
    return Chart(key, title, description, WIDTH, height, True, bars, [], colour, value_header)


def shorten(label: str, limit: int = 34) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def dashboard_charts(dash: Dashboard) -> list[Chart]:
    """The dashboard's charts, in the page's language: the page and the PDF report draw these."""
    months = [(m.label, m.on_time_rate) for m in dash.months]
    online = [(m.label, m.online_rate) for m in dash.months]
    ranked = [(row.node.name, row.on_time_rate) for row in dash.rows[:20]]
    return [
        columns("trend", _("Tỷ lệ đúng hạn theo tháng"),
                _("Tỷ lệ hồ sơ giải quyết đúng hạn của từng tháng trong kỳ, từ 0 đến 100 %."),
                months, _("Đúng hạn")),
        columns("online", _("Tỷ lệ nộp trực tuyến theo tháng"),
                _("Tỷ lệ hồ sơ nộp trực tuyến trên số hồ sơ tiếp nhận của từng tháng (tỷ lệ thô, "
                  "chưa nhân với tỷ lệ đồng bộ 1.4 như chỉ số 3.3)."),
                online, _("Nộp trực tuyến"), colour=COLOURS[1]),
        ranking("ranking", _("Xếp hạng đơn vị theo tỷ lệ đúng hạn"),
                _("Các đơn vị trực thuộc, tỷ lệ đúng hạn cao nhất trước (tối đa 20 đơn vị)."),
                ranked, _("Đúng hạn")),
    ]  # fmt: skip
