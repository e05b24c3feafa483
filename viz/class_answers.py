"""A live class's answers to one question, drawn for the projector: one chart per round, side by side.

Two shapes, both plain data built by lessons/live_class.py (which decides what is right and what is clipped):
- ``AnswerBars``: one bar per option (a choice) or per hidden unit (units: how many picked each), the right
  ones green and marked ✓ in their label — the mark is in the text, not only in the colour;
- ``NumberHistogram``: the numbers answered, binned; the right value a dashed line and the tolerance band a
  green strip; answers far outside the bulk are counted in a hatched bar at each edge (a few wild values
  must not squeeze everyone else into one bar).
Each has a text alternative (``describe_answers``) built from the same numbers as the picture.
"""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from viz.style import apply_house_style, format_number
from viz.text import plotly_literal

RIGHT_COLOR = "#2b8a3e"  # 4.9:1 on white: the bars' count labels stay readable in it
OTHER_COLOR = "#868e96"
BAND_COLOR = "rgba(43, 138, 62, 0.15)"
RIGHT_MARK = " ✓"


@dataclass(frozen=True)
class RoundCounts:
    """One round's answers: its title (short: it sits above a phone-wide half of the chart), how many were right of
    how many, and a count per bar."""

    title: str  # "Round 1: 52 % right"
    right: int
    answered: int
    counts: tuple[int, ...]
    below: int = 0  # numbers only: answers under the chart's range, drawn in the left edge bar
    above: int = 0  # … and over it, in the right edge bar

    @property
    def long_title(self) -> str:
        return f"{self.title} ({self.right} of {self.answered})"


@dataclass(frozen=True)
class AnswerBars:
    """Choices or units: one bar per label; ``right`` says which labels are (part of) the right answer."""

    labels: tuple[str, ...]
    right: tuple[bool, ...]
    rounds: tuple[RoundCounts, ...]  # one or two
    title: str  # "Right: 52 % → 71 %"
    axis_title: str = "answer"


@dataclass(frozen=True)
class NumberHistogram:
    """Numbers: ``edges`` are the bins' edges inside the chart's range; each round counts its answers per bin."""

    edges: tuple[float, ...]
    truth: float
    tolerance: float
    rounds: tuple[RoundCounts, ...]
    title: str
    axis_title: str = "answer"


Answers = AnswerBars | NumberHistogram


def _figure(chart: Answers) -> go.Figure:
    columns = len(chart.rounds)
    if columns == 1:
        fig = go.Figure()
    else:
        fig = make_subplots(rows=1, cols=columns, shared_yaxes=True, horizontal_spacing=0.06,
                            subplot_titles=[plotly_literal(r.title) for r in chart.rounds])
    return fig


def _place(fig: go.Figure, trace: go.Bar, column: int, columns: int) -> None:
    if columns == 1:
        fig.add_trace(trace)
    else:
        fig.add_trace(trace, row=1, col=column)


def bars_figure(chart: AnswerBars, *, height: int = 300) -> go.Figure:
    """One bar per label and round; right answers green and ✓-marked."""
    fig = _figure(chart)
    columns = len(chart.rounds)
    labels = [plotly_literal(label) + (RIGHT_MARK if right else "") for label, right in
              zip(chart.labels, chart.right, strict=True)]
    colors = [RIGHT_COLOR if right else OTHER_COLOR for right in chart.right]
    for column, round_counts in enumerate(chart.rounds, start=1):
        _place(fig, go.Bar(x=labels, y=list(round_counts.counts), marker_color=colors, text=list(round_counts.counts),
                           textposition="outside", cliponaxis=False, showlegend=False, name=round_counts.title,
                           hovertemplate="%{x}: %{y} answers<extra></extra>"), column, columns)
    top = max((max(r.counts, default=0) for r in chart.rounds), default=0)
    fig.update_yaxes(title_text="answers", range=[0, max(1, top) * 1.25], rangemode="tozero", dtick=_count_step(top))
    if columns > 1:
        fig.update_yaxes(title_text="", col=2)
    fig.update_xaxes(title_text=chart.axis_title, type="category")
    return _styled(fig, chart, height)


def number_figure(chart: NumberHistogram, *, height: int = 300) -> go.Figure:
    """The numbers answered per bin, the right value (dashed) and the tolerance band (green strip); answers
    outside the range counted in hatched bars at the edges."""
    fig = _figure(chart)
    columns = len(chart.rounds)
    edges = list(chart.edges)
    width = edges[1] - edges[0]
    centres = [(a + b) / 2 for a, b in zip(edges[:-1], edges[1:], strict=True)]
    labels = [f"{format_number(a)} to {format_number(b)}" for a, b in zip(edges[:-1], edges[1:], strict=True)]
    low, high = edges[0], edges[-1]
    band = (chart.truth - chart.tolerance, chart.truth + chart.tolerance)
    for column, round_counts in enumerate(chart.rounds, start=1):
        right = [band[0] <= c <= band[1] for c in centres]
        _place(fig, go.Bar(x=centres, y=list(round_counts.counts), width=[width] * len(centres),
                           marker_color=[RIGHT_COLOR if r else OTHER_COLOR for r in right],
                           customdata=labels, showlegend=False, name=round_counts.title,
                           hovertemplate="%{customdata}: %{y} answers<extra></extra>"), column, columns)
        edge_x, edge_y, edge_text = [], [], []
        if round_counts.below:
            edge_x.append(low - width / 2)
            edge_y.append(round_counts.below)
            edge_text.append(f"below {format_number(low)}")
        if round_counts.above:
            edge_x.append(high + width / 2)
            edge_y.append(round_counts.above)
            edge_text.append(f"above {format_number(high)}")
        if edge_x:
            _place(fig, go.Bar(x=edge_x, y=edge_y, width=[width] * len(edge_x), customdata=edge_text,
                               marker={"color": "white", "line": {"color": OTHER_COLOR, "width": 1.5},
                                       "pattern": {"shape": "/", "fgcolor": OTHER_COLOR}},
                               text=edge_text, textposition="outside", cliponaxis=False, showlegend=False,
                               hovertemplate="%{customdata}: %{y} answers<extra></extra>"), column, columns)
        axis = "" if column == 1 else str(column)
        fig.add_shape(type="rect", x0=band[0], x1=band[1], y0=0, y1=1, fillcolor=BAND_COLOR, line_width=0,
                      layer="below", xref=f"x{axis}", yref=f"y{axis} domain")
        fig.add_shape(type="line", x0=chart.truth, x1=chart.truth, y0=0, y1=1, xref=f"x{axis}", yref=f"y{axis} domain",
                      line={"color": RIGHT_COLOR, "dash": "dash", "width": 2})
    top = max((max([*r.counts, r.below, r.above], default=0) for r in chart.rounds), default=0)
    fig.update_yaxes(title_text="answers", range=[0, max(1, top) * 1.3], rangemode="tozero", dtick=_count_step(top))
    if columns > 1:
        fig.update_yaxes(title_text="", col=2)
    fig.update_xaxes(title_text=chart.axis_title, range=[low - (1.1 if _has_edge(chart, "below") else 0.1) * width,
                                                           high + (1.1 if _has_edge(chart, "above") else 0.1) * width])
    fig.update_xaxes(title_text=f"{chart.axis_title} (right: {format_number(chart.truth, 4)} ± "
                                f"{format_number(chart.tolerance)})")
    return _styled(fig, chart, height)


def _styled(fig: go.Figure, chart: Answers, height: int) -> go.Figure:
    apply_house_style(fig, title=_figure_title(chart), height=height)
    if len(chart.rounds) > 1:  # room for the halves' titles
        fig.update_layout(margin={"t": 40})
    return fig


def _figure_title(chart: Answers) -> str | None:
    """One round: its long title above the chart; two: none (each half has its round's title, and the page says
    "Right: 52 % → 71 %" above the chart)."""
    return plotly_literal(chart.rounds[0].long_title) if len(chart.rounds) == 1 else None


def answers_figure(chart: Answers, *, height: int = 300) -> go.Figure:
    return number_figure(chart, height=height) if isinstance(chart, NumberHistogram) else \
        bars_figure(chart, height=height)


def _has_edge(chart: NumberHistogram, side: str) -> bool:
    return any(getattr(r, side) for r in chart.rounds)


def _count_step(top: int) -> int | None:
    """Whole-number ticks on the count axis (Plotly would write 0.5 answers for small classes)."""
    return 1 if top <= 6 else None


def describe_answers(chart: Answers) -> str:
    """The chart in words, round by round: every bar's count, which are right, and what was clipped."""
    parts = [f"Bar chart of the class's answers. {chart.title}."]
    if isinstance(chart, NumberHistogram):
        parts.append(f"The right value is {format_number(chart.truth, 4)}; answers within "
                     f"±{format_number(chart.tolerance)} count as right.")
        edges = chart.edges
        for r in chart.rounds:
            bins = [f"{format_number(a)} to {format_number(b)}: {n}"
                    for a, b, n in zip(edges[:-1], edges[1:], r.counts, strict=True) if n]
            edge = ([f"below {format_number(edges[0])}: {r.below}"] if r.below else []) + \
                   ([f"above {format_number(edges[-1])}: {r.above}"] if r.above else [])
            parts.append(f"{r.long_title}: " + ("; ".join(edge[:1] + bins + edge[1:]) or "no answers") + ".")
    else:
        for r in chart.rounds:
            bars = [f"{label}{' (right)' if right else ''}: {n}"
                    for label, right, n in zip(chart.labels, chart.right, r.counts, strict=True)]
            parts.append(f"{r.long_title}: " + "; ".join(bars) + ".")
    return " ".join(parts)
