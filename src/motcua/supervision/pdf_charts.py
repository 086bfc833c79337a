"""The dashboard's charts in the PDF report (issue 17): the geometry of ``charts`` (the same bars,
axis ticks and labels as the page's SVG) drawn as ReportLab vector graphics, with the labels as
text in DejaVu Sans, so the report prints what the page shows without a browser or a script and
its words can be searched and read out of the PDF. ReportLab's y axis points up, SVG's down:
every y is turned over the chart's height."""

from __future__ import annotations

from typing import Any, Literal

from .charts import Chart

GRID = "#c9cdd3"
INK = "#1b1b1b"
MUTED = "#4a4a4a"
FONT_SIZE = 9
Anchor = Literal["start", "middle", "end"]


def chart_drawing(chart: Chart, width: float, font: str) -> Any:
    """A ``Drawing`` of ``chart`` scaled to ``width`` points at most."""
    from reportlab.graphics.shapes import Drawing, Group, Line, Rect, String
    from reportlab.lib.colors import HexColor

    scale = min(1.0, width / chart.width)
    top = chart.height  # SVG y → ReportLab y: top - y

    def text(x: float, y: float, words: str, anchor: Anchor = "start", size: float = FONT_SIZE,
             colour: str = INK) -> Any:  # fmt: skip
        return String(x, top - y, words, fontName=font, fontSize=size, textAnchor=anchor,
                      fillColor=HexColor(colour))  # fmt: skip

    group = Group()
    for y, label in chart.ticks:
        group.add(Line(36, top - y, chart.width, top - y, strokeColor=HexColor(GRID),
                       strokeWidth=0.6))  # fmt: skip
        group.add(text(32, y + 4, label, "end", colour=MUTED))
    for bar in chart.bars:
        if bar.height > 0 and bar.width > 0:
            fill: dict[str, Any] = {"fillColor": HexColor(chart.colour), "strokeColor": None}
            group.add(Rect(bar.x, top - bar.y - bar.height, bar.width, bar.height, **fill))
        if chart.horizontal:
            group.add(text(bar.label_x, bar.label_y, bar.label, "end"))
            group.add(text(bar.text_x, bar.text_y, bar.text))
            continue
        group.add(text(bar.label_x, bar.label_y, bar.label, "middle"))
        if bar.value is not None:
            group.add(text(bar.text_x, bar.text_y, bar.text, "middle", size=FONT_SIZE - 2))
    if not chart.bars:
        group.add(text(36, 20, "Không có số liệu.", colour=MUTED))
    group.transform = (scale, 0, 0, scale, 0, 0)
    drawing = Drawing(chart.width * scale, chart.height * scale)
    drawing.add(group)
    return drawing


def chart_story(charts: list[Chart], width: float, heading: Any, body: Any, font: str) -> list[Any]:
    """Each chart with its title and what it shows, kept on one page."""
    from xml.sax.saxutils import escape

    from reportlab.platypus import KeepTogether, Paragraph, Spacer

    story: list[Any] = []
    for chart in charts:
        story.append(KeepTogether([
            Paragraph(escape(chart.title), heading),
            Paragraph(escape(chart.description), body),
            Spacer(1, 4),
            chart_drawing(chart, width, font),
        ]))  # fmt: skip
    return story
