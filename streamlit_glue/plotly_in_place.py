"""A Plotly chart that is updated in place when its figure changes.

Streamlit 1.67 gives every ``st.plotly_chart`` an identity that hashes the whole figure, so any change to the
balls throws the chart away and builds a new one: a new WebGL context, shaders compiled again, the surface
drawn from nothing — about 0.95 s of a 1.3 s slider notch in a software-rendered browser. This component keeps
its element across reruns (a keyed ``st.components.v2`` component's identity is its key) and hands the new
figure to ``Plotly.react``, which redraws what changed in the same WebGL context: 1.1 s → 0.33 s per notch in
the same test page.

It draws with the Plotly already in the page (Streamlit's, which ``st.plotly_chart`` loads and which sets
``window.Plotly``) or, when there is none, loads that same bundle itself: Streamlit's ``static/js/PlotlyChart.*.js``
(an ES module that sets ``window.Plotly`` when it runs). It is served from ``/static/``, which Streamlit sends
uncompressed and marks immutable, so a class costs the server a file read per student. (The plotly package's own
plotly.min.js, served through a component path, went through Starlette's gzip on every request: 4.8 MB
compressed afresh for each student, the largest part of a page open's server CPU.) Only if this Streamlit has
no such file is the plotly package's plotly.min.js loaded instead (served through a never-drawn v1 component).
How each of these leans on Streamlit's internals: streamlit_internals.py. Nothing comes from the internet. A chart keeps
the Plotly it was first drawn with. Only our own figure JSON goes through it; the text alternative is set
as an attribute (never as HTML).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

import plotly.graph_objects as go
import plotly.io as pio
import streamlit as st

from streamlit_glue.streamlit_internals import by_test_id, plotly_package_url, static_js_url, streamlit_plotly_bundle

_JS = """
const NARROW_PX = 500;
// A chart title or x-axis title wider than a narrow chart (a projector's half column) is cut at the chart's
// edge: shrink its font until it fits (never below 9 px). Plotly draws titles on one line.
function fitTitles(Plotly, box) {
  const svg = box.querySelector('svg.main-svg');
  if (!svg) return;
  const frame = svg.getBoundingClientRect();
  const update = {};
  for (const [selector, key] of [['.gtitle', 'title.font.size'], ['.g-xtitle text', 'xaxis.title.font.size']]) {
    const text = box.querySelector(selector);
    if (!text || !text.textContent.trim()) continue;
    const r = text.getBoundingClientRect();
    const middle = (r.left + r.right) / 2;  // an x-axis title is centred, a chart title starts at its left
    const room = key.startsWith('xaxis') ? 2 * Math.min(middle - frame.left - 4, frame.right - 4 - middle)
      : frame.right - 4 - Math.max(r.left, frame.left + 4);
    if (r.width > 0 && (r.right > frame.right - 2 || r.left < frame.left + 2)) {
      const size = parseFloat(getComputedStyle(text).fontSize) || 14;
      update[key] = Math.max(9, Math.floor(0.95 * size * Math.min(room, frame.width - 8) / r.width));
    }
  }
  if (Object.keys(update).length) Plotly.relayout(box, update);
}
// Charts that fill the room left in their box down to the bottom of the scrolling column (a lesson's slide on a
// projector): a figure of fixed size is zoomed to fit (of several layouts, the one that can be drawn largest), any
// other gets that height. A clickable chart is never zoomed: under CSS zoom Plotly maps a click to the wrong point.
// The boxes that share one room share it equally. Only while the room's media query matches (not on a phone).
function fillRooms() {
  const groups = new Map();
  for (const box of document.querySelectorAll('.plotly-in-place[data-fill]')) {
    const room = box.__fill && box.dataset.drawn && box.closest(box.__fill.box);
    if (!room) continue;
    if (!groups.has(room)) groups.set(room, []);
    groups.get(room).push(box);
  }
  for (const [room, boxes] of groups) fillRoom(room, boxes);
}
const zoomOf = (box) => parseFloat(box.style.zoom) || 1;
function unfill(box) {
  if (box.style.zoom) box.style.zoom = '';
  const own = box.__figure && box.__figure.layout && box.__figure.layout.height;
  if (box.__filledHeight && own && box._fullLayout && box._fullLayout.height !== own) {
    box.__plotly.relayout(box, {height: own});
  }
  box.__filledHeight = null;
}
function fillRoom(room, boxes) {
  const fill = boxes[0].__fill;
  const scroller = document.querySelector(fill.scroller);
  if (!scroller || !window.matchMedia(fill.media).matches) { boxes.forEach(unfill); return; }
  const roomRect = room.getBoundingClientRect();
  const top = roomRect.top - scroller.getBoundingClientRect().top + scroller.scrollTop;
  const charts = boxes.reduce((sum, box) => sum + box.getBoundingClientRect().height, 0);
  const others = roomRect.height - charts;  // the room's words, pickers and gaps
  const share = Math.max(fill.min_height, (scroller.clientHeight - fill.bottom_gap - top - others) / boxes.length);
  const width = room.clientWidth;
  for (const box of boxes) {
    const fixed = (layout) => layout && layout.width && layout.height && layout.autosize === false;
    if (box.hasAttribute('data-clickable') || !fixed(box.__figure.layout)) {
      if (box.style.zoom) box.style.zoom = '';
      const height = Math.round(share);
      if (!fixed(box.__figure.layout) && box._fullLayout && Math.abs(box._fullLayout.height - height) > 2) {
        box.__filledHeight = height;
        box.__plotly.relayout(box, {height});
      }
      continue;
    }
    const zoomFor = (layout) => Math.min(fill.max_zoom, width / layout.width, share / layout.height);
    const best = box.__figures.reduce((best, figure, index) =>
      zoomFor(figure.layout) > zoomFor(box.__figures[best].layout) + 0.01 ? index : best, 0);
    if (best !== box.__chosen) { box.__choose(best); continue; }  // drawn again, then filled again
    const zoom = zoomFor(box.__figure.layout);
    if (Math.abs(zoomOf(box) - zoom) > 0.005) box.style.zoom = String(zoom);
  }
}
function scheduleFill() {
  if (window.__fillPending) return;
  window.__fillPending = true;
  requestAnimationFrame(() => { window.__fillPending = false; fillRooms(); });
}
function watchRoom(box, fill) {
  if (!window.__fillWatch) {  // once per page: a resized window, or words above a chart that wrap differently
    window.__fillWatch = new ResizeObserver(scheduleFill);
    window.addEventListener('resize', scheduleFill);
  }
  const scroller = document.querySelector(fill.scroller);
  const content = scroller && scroller.firstElementChild;
  if (content && !content.__fillWatched) { content.__fillWatched = true; window.__fillWatch.observe(content); }
}
export default function ({ parentElement, data, setTriggerValue }) {
  let box = parentElement.querySelector('.plotly-in-place');
  if (!box) {
    box = document.createElement('div');
    box.className = 'plotly-in-place';
    box.setAttribute('role', 'figure');
    parentElement.appendChild(box);
  }
  box.setAttribute('aria-label', data.alt);  // an attribute: the text is never parsed as HTML
  box.toggleAttribute('data-clickable', !!data.clickable);  // what the chart is, for CSS (ZOOMABLE_CHART)
  box.toggleAttribute('data-fill', !!data.fill);
  box.__fill = data.fill || null;
  if (!data.fill) { if (box.style.zoom) box.style.zoom = ''; }
  // One figure, or the same chart in several layouts (widest first): the widest that fits the column is drawn,
  // and drawn again in another layout when the column's width changes (a window resized, a phone turned).
  const figures = [data.spec, ...(data.alternatives || [])].map(spec => JSON.parse(spec));
  const fitting = () => {
    const room = parentElement.clientWidth;
    const index = figures.findIndex(f => !(f.layout && f.layout.width) || room <= 0 || f.layout.width <= room);
    return index < 0 ? figures.length - 1 : index;
  };
  const fillChooses = !!data.fill && !data.clickable;  // else the width chooses (a clickable chart keeps zoom 1)
  let chosen = fillChooses && box.__figures && box.__chosen < figures.length ? box.__chosen : fitting();
  const figure = figures[chosen];
  box.dataset.layoutIndex = String(chosen);
  box.__figures = figures;
  box.__chosen = chosen;
  box.__choose = (index) => { chosen = index; box.__chosen = index; box.dataset.layoutIndex = String(index);
                              draw(figures[index]); };
  if (figures.length > 1 && !fillChooses) {
    box.__relayout = () => { if (fitting() !== chosen) { chosen = fitting(); box.dataset.layoutIndex = String(chosen);
                                                        draw(figures[chosen]); } };
    if (!box.__resizeWatch) {  // one observer per chart; it calls this render's figures
      box.__resizeWatch = new ResizeObserver(() => box.__relayout && box.__relayout());
      box.__resizeWatch.observe(parentElement);
    }
  } else {
    box.__relayout = null;
  }
  const started = performance.now();
  const draw = (figure) => {
    const Plotly = box.__plotly || window.Plotly;
    if (!Plotly) {  // neither Streamlit's Plotly nor ours is there yet: load the plotly package's own, once
      const waited = performance.now() - started;
      if (!document.getElementById('plotly-in-place-script')) {
        const marker = document.createElement('meta');  // one load per page, whichever chart asks first
        marker.id = 'plotly-in-place-script';
        document.head.appendChild(marker);
        if (data.plotly_is_module) {
          // Streamlit's own bundle: running it sets window.Plotly. A full URL: this code runs from a blob, against
          // which a path does not resolve.
          import(new URL(data.plotly_url, window.location.origin).href);
        } else {
          const script = document.createElement('script');
          script.src = data.plotly_url;
          document.head.appendChild(script);
        }
      }
      if (waited < 20000) { setTimeout(() => draw(figure), 30); return; }
      box.textContent = 'The chart could not load: reload the page.';
      return;
    }
    box.__plotly = Plotly;  // a chart keeps the Plotly that first drew it
    const layout = figure.layout || {};
    // as Streamlit's own charts: the page's font and text colour, a bold title
    const page = getComputedStyle(document.body);
    layout.font = Object.assign({family: page.fontFamily, color: page.color}, layout.font || {});
    if (layout.title && typeof layout.title === 'object' && layout.title.text) {
      layout.title.font = Object.assign({weight: 600}, layout.title.font || {});
    }
    // on a phone-wide chart the toolbar would sit on the title: no toolbar there (unless config asks)
    const narrow = parentElement.clientWidth > 0 && parentElement.clientWidth < NARROW_PX;
    const next = {data: figure.data, layout, frames: figure.frames || [],
                  // no "Share chart…" (it uploads the figure to Plotly Cloud): nothing leaves the app
                  config: Object.assign({responsive: true, displaylogo: false, displayModeBar: narrow ? false : 'hover',
                                         modeBarButtonsToRemove: ['sendChartToCloud', 'sendDataToCloud']},
                                        data.config || {})};
    if (box.__filledHeight && !(figure.layout.width && figure.layout.autosize === false)) {
      layout.height = box.__filledHeight;  // keep the room's height across reruns (no jump back and forth)
    }
    box.__figure = figure;
    const drawn = box.dataset.drawn ? Plotly.react(box, next) : Plotly.newPlot(box, next);
    box.dataset.drawn = '1';
    Promise.resolve(drawn).then(() => fitTitles(Plotly, box));
    if (box.__fill) { watchRoom(box, box.__fill); Promise.resolve(drawn).then(scheduleFill); }
    box.__report = setTriggerValue;  // this render's: the click handler below is attached once
    if (data.clickable && !box.dataset.clicks) {
      box.dataset.clicks = '1';
      Promise.resolve(drawn).then(() => box.on('plotly_click', (event) => {
        const point = event.points && event.points[0];
        if (!point) return;
        box.__report('click', {customdata: point.customdata === undefined ? null : point.customdata,
                               curve_number: point.curveNumber, point_index: point.pointIndex ?? point.pointNumber,
                               x: point.x, y: point.y});
      }));
    }
  };
  // A chart out of view (the landscape's top view and height chart, under the 3D view a slider turns) is not
  // redrawn on every rerun: it is marked stale, and an IntersectionObserver draws the newest figure at its first
  // visible pixel, so a notch costs the charts one can see. Its text alternative (above) is always the newest.
  const outOfView = (el) => { const r = el.getBoundingClientRect();
                              return r.bottom < 0 || r.top > window.innerHeight; };
  if (data.defer_offscreen && box.dataset.drawn && outOfView(box)) {
    box.__pendingDraw = () => draw(figure);
    box.dataset.stale = '1';
    if (!box.__visibleWatch) {  // one observer per chart; it draws whatever figure is pending when the chart shows
      box.__visibleWatch = new IntersectionObserver((entries) => {
        if (!entries.some(entry => entry.isIntersecting) || !box.__pendingDraw) return;
        const pending = box.__pendingDraw;
        box.__pendingDraw = null;
        delete box.dataset.stale;
        pending();
      });
      box.__visibleWatch.observe(box);
    }
    return;
  }
  box.__pendingDraw = null;
  delete box.dataset.stale;
  draw(figure);
}
"""

_component = st.components.v2.component("backprop_lab.plotly_in_place", js=_JS, isolate_styles=False)
# A chart that takes no clicks, whatever its key: only these may be CSS-zoomed (the presenter view). Under CSS zoom
# Plotly maps a click to the wrong place (a click on Z1[h2, s3] picked Z1[h2, s4]).
ZOOMABLE_CHART = ".plotly-in-place:not([data-clickable])"


def plotly_source() -> tuple[str, bool]:
    """Where a page without Streamlit's Plotly loads it from: (URL, whether it is an ES module)."""
    bundle = streamlit_plotly_bundle()
    return (static_js_url(bundle), True) if bundle else (plotly_package_url("plotly.min.js"), False)


def _json(fig: go.Figure | str) -> str:
    return fig if isinstance(fig, str) else pio.to_json(fig, validate=False)


@dataclass(frozen=True)
class FillRoom:
    """Size a chart to the room left in its box (``box``, a CSS selector of an ancestor) down to the bottom of the
    scrolling main column, while ``media`` matches: a chart of fixed size (``layout.width``, ``layout.height``,
    ``autosize`` False) is zoomed to fit, at most ``max_zoom`` (of several layouts, the one drawn largest); any
    other chart gets that height. Charts in one box share its room equally; ``bottom_gap`` px stay free under
    them. A clickable chart is never zoomed (Plotly would map its clicks to the wrong point): it only gets the
    height, if it has none of its own."""

    box: str
    media: str
    max_zoom: float = 2.5
    min_height: int = 120
    bottom_gap: int = 12


def plotly_chart_in_place(fig: go.Figure | str | Sequence[go.Figure | str], *, key: str, alt: str, container=None,
                          config: dict | None = None, on_click: Callable[[], None] | None = None,
                          fill: FillRoom | None = None, defer_offscreen: bool = False) -> None:
    """Draw ``fig`` at the width of ``container`` (default: where the script is writing); on a rerun, update the
    same chart instead of building a new one. ``alt`` is what a screen reader announces for the chart;
    ``config`` is Plotly's (e.g. {"displayModeBar": False}). ``on_click`` is called, before the rerun, when a
    point is clicked; ``clicked_point(key)`` then says which. ``fig`` may be the figure's JSON already
    (``cached.figure_json``: built and serialised once for every session).

    ``fig`` may also be a list: the same chart laid out for several widths, widest first, each with its
    ``layout.width``; the browser draws the widest that fits the column (the last one if none does) and swaps
    layouts when the column's width changes. The chart's points must mean the same in every layout (a click
    reports the customdata of the one drawn). With ``fill`` (see ``FillRoom``) the layout is chosen by the room's
    height too.

    ``defer_offscreen``: a rerun does not redraw the chart while it is out of view; it is drawn with its newest
    figure as it comes into view. For charts under a view that a slider redraws live (the landscape's top view and
    height chart)."""
    figures = [fig] if isinstance(fig, (str, go.Figure)) else list(fig)
    plotly_url, plotly_is_module = plotly_source()
    data = {"spec": _json(figures[0]), "alt": alt, "plotly_url": plotly_url, "plotly_is_module": plotly_is_module,
            "config": config or {},
            "clickable": on_click is not None, "defer_offscreen": defer_offscreen,
            "fill": None if fill is None else {**asdict(fill), "scroller": by_test_id("stMain")}}
    if len(figures) > 1:
        data["alternatives"] = [_json(figure) for figure in figures[1:]]
    callbacks = {} if on_click is None else {"on_click_change": on_click}
    if container is None:
        _component(data=data, key=key, **callbacks)
    else:
        with container:
            _component(data=data, key=key, **callbacks)


def clicked_point(key: str) -> dict | None:
    """In an ``on_click`` callback: the clicked point of the chart ``key`` — its customdata, curve_number,
    point_index, x and y — as Plotly reported it."""
    return getattr(st.session_state.get(key), "click", None)
