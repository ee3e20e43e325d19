"""Server-rendered SVG charts (pygal, no script): the page stays readable without JavaScript."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pygal
from pygal.style import Style

from services.console.statistics import Table

# Dark text and saturated fills so labels meet WCAG contrast on the white page.
_STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1f2328",
    foreground_strong="#1f2328",
    foreground_subtle="#59636e",
    colors=("#0b5cad", "#b35900", "#1a7f37", "#8250df", "#cf222e", "#6e7781", "#9a6700"),
    font_family="system-ui, sans-serif",
    label_font_size=11,
    major_label_font_size=11,
    legend_font_size=12,
    title_font_size=14,
)


def _chart(table: Table, kind: type[pygal.graph.graph.Graph], series: list[str]) -> str:
    chart = kind(
        style=_STYLE,
        width=720,
        height=320,
        js=[],
        show_legend=len(series) > 1,
        legend_at_bottom=True,
        x_label_rotation=30 if len(table.labels) > 8 else 0,
        truncate_label=-1,
        print_values=False,
        disable_xml_declaration=True,
        explicit_size=False,
    )
    chart.title = table.title
    if len(series) == 1:
        chart.y_title = series[0]
    chart.x_labels = list(table.labels)
    for name in series:
        chart.add(name, list(table.series[name]))
    return _without_scripts(chart.render_tree(), f"{table.title}: {', '.join(series)}")


def _without_scripts(tree: ET.Element, label: str) -> str:
    """The chart's SVG minus pygal's interactive config script (the console runs no script),
    labelled as one image for screen readers; the numbers are in the table beside it."""
    for parent in tree.iter():
        for child in list(parent):
            if str(child.tag).endswith("script"):
                parent.remove(child)
    tree.set("role", "img")
    tree.set("aria-label", label)
    return ET.tostring(tree, encoding="unicode")


def bar(table: Table, series: list[str]) -> str:
    """A bar chart of the named series of `table` as an inline SVG element."""
    return _chart(table, pygal.Bar, series)


def line(table: Table, series: list[str]) -> str:
    return _chart(table, pygal.Line, series)


def stacked(table: Table) -> str:
    return _chart(table, pygal.StackedBar, list(table.series))
