"""The guided lesson laid out for the screen it is on.

In presenter view on a screen at least ``PRESENTER_MIN_WIDTH`` wide, every step is one slide: the step's title
and Previous / Next in one bar at the top (between Streamlit's » and ⋮), then the words (the question and its
answer widget, or the verdict and why) beside or above the step's figure, and the figure sized to the room that
is left (``FILL``: plotly_in_place zooms or heightens it to the bottom of the window). Text is 16 CSS px at
least, the root font grows with the screen (16 px at 853×480, 18 at 1280×720, 22 at 1920×1080). The page's
title, the step slider, the progress bar and the second Previous / Next are not shown there: the keys and the
bar do their work.

On a phone (any view) the answer targets are at least 44×44 CSS px.

The CSS is this module's constant (never user text): only our own keys and Streamlit's test ids, through
streamlit_internals.
"""

from __future__ import annotations

import streamlit as st

from streamlit_glue.plotly_in_place import FillRoom
from streamlit_glue.presenter import PRESENTER_MEDIA, PRESENTER_MIN_WIDTH, presenter_requested
from streamlit_glue.streamlit_internals import by_test_id, keyed, keyed_prefix

# The box whose room the step's charts share (guided_lesson_view draws the figure in it).
PICTURE_KEY = "lesson_picture"
FILL = FillRoom(box=keyed(PICTURE_KEY), media=PRESENTER_MEDIA)
# Keyed parts of the page that a slide does without.
NOT_ON_A_SLIDE = ("lesson_intro", "lesson_step", "lesson_progress", "lesson_bottom_nav", "lesson_question")
BAR_KEY = "lesson_bar"
# The box of a 3D view that does not turn ("Rotate the 3D view" off).
STILL_3D_KEY = "lesson_3d_still"
TITLE_KEY = "lesson_title"
MIN_TEXT_PX = 16
TOUCH_TARGET_PX = 44
PICKED_TEXT = "#a61e4d"  # the primary colour #c2255c, darker: 5.2:1 on a focused segmented option's #f3d3de

_MAIN = by_test_id("stMain")
_ALERT = f"{_MAIN} {by_test_id('stAlertContainer')}"
_TEXT = ":is(p, li, span, label, div, button, input, textarea, a, small, summary):not(.katex, .katex *)"

SLIDE_CSS = f"""<style>
@media {PRESENTER_MEDIA} {{
  html {{ font-size: {MIN_TEXT_PX}px; }}
  {", ".join(keyed(key) for key in NOT_ON_A_SLIDE)} {{ display: none; }}
  /* a hidden container's wrapper would still take a gap of the column's flex layout */
  {", ".join(f"{by_test_id('stLayoutWrapper')}:has(> {keyed(key)})" for key in NOT_ON_A_SLIDE)} {{ display: none; }}
  /* a caption's last paragraph keeps a margin its box takes back (-1rem): drawn past the column's end, it would
     make the last caption of a slide scroll by that much. The same layout with neither. */
  {_MAIN} {by_test_id("stCaptionContainer")} {{ margin-bottom: 0; }}
  {_MAIN} {by_test_id("stCaptionContainer")} > p:last-child {{ margin-bottom: 0; }}
  /* a link to the page that shows the step in full wraps instead of losing its end to "…" */
  {_MAIN} {by_test_id("stPageLink")} * {{ white-space: normal; text-overflow: clip; }}
  /* the header keeps its two buttons in the corners; the slide's bar sits between them */
  {by_test_id("stHeader")} {{ background: transparent; pointer-events: none; }}
  html {by_test_id("stHeader")} div {{ pointer-events: none; }}  /* its toolbar's box spans the bar's buttons */
  html {by_test_id("stHeader")} button, html {by_test_id("stHeader")} a {{ pointer-events: auto; }}
  {by_test_id("stMainBlockContainer")} {{ padding: 0.55rem 0.75rem 0.25rem; }}
  {_MAIN} {by_test_id("stVerticalBlock")} {{ gap: 0.4rem; }}
  {keyed(BAR_KEY)} {{ padding: 0 2.6rem; min-height: 2.6rem; gap: 0.5rem; flex-wrap: nowrap; }}
  {keyed(TITLE_KEY)} {{ flex: 1 1 0; min-width: 0; }}
  {keyed(BAR_KEY)} h2 {{ font-size: 1.35rem; padding: 0; line-height: 1.25; }}
  /* a heading's box takes back 1rem under it: a title on two lines would run into the words below the bar */
  {keyed(BAR_KEY)} {by_test_id("stMarkdownContainer")} {{ margin-bottom: 0; }}
  {_MAIN} h3 {{ font-size: 1.2rem; padding: 0.25rem 0 0; }}
  {by_test_id("stAlertContainer")} {{ padding: 0.35rem 0.75rem; }}
  /* the verdict's words take the box's whole width (its first words say right or wrong, its colour too) */
  {_MAIN} {by_test_id("stAlertDynamicIcon")} {{ display: none; }}
  /* ... and so does the icon's box (it kept 20 px and a gap), and the words' width it left out (28 px a line):
     step 14's long why had no room to spare at 853x480 */
  {_ALERT} div:has(> {by_test_id("stMarkdownContainer")}) > :not({by_test_id("stMarkdownContainer")}) {{
    display: none; }}
  {_ALERT} {by_test_id("stMarkdownContainer")} {{ width: 100% !important; }}
  {_MAIN} {by_test_id("stAlertContainer")} {by_test_id("stMarkdownContainer")} p {{ line-height: 1.3; }}
  {by_test_id("stMarkdownContainer")} p, {by_test_id("stMarkdownContainer")} li {{ line-height: 1.4; }}
  html body {_MAIN} {_TEXT} {{ font-size: max({MIN_TEXT_PX}px, 1em); }}
}}
@media {PRESENTER_MEDIA} and (min-width: 1100px) and (min-height: 650px) {{ html {{ font-size: 18px; }} }}
@media {PRESENTER_MEDIA} and (min-width: 1600px) and (min-height: 950px) {{ html {{ font-size: 22px; }} }}
</style>"""

# A phone (in any view): every answer is a target a thumb can hit.
THUMBS_CSS = f"""<style>
@media (max-width: {PRESENTER_MIN_WIDTH - 1}px) {{
  {by_test_id("stRadio")} label {{ min-height: {TOUCH_TARGET_PX}px; min-width: {TOUCH_TARGET_PX}px;
    align-items: center; padding-right: 0.75rem; }}
  {keyed_prefix("lesson_answer_")} button {{ min-height: {TOUCH_TARGET_PX}px; min-width: {TOUCH_TARGET_PX}px; }}
  /* the step's title on a line of its own, its buttons under it (beside them it was squeezed to 5 lines) */
  {keyed(BAR_KEY)} {{ flex-wrap: wrap; }}
  {keyed(TITLE_KEY)}, {by_test_id("stLayoutWrapper")}:has(> {keyed(TITLE_KEY)}) {{ flex: 1 1 100%; }}
}}
/* the step's figure picker: its picked (or focused) option in the primary colour on its tint was 4.1:1 (axe-core);
   every option's text in a darker shade of it is 5.2:1 there, 7.2:1 on white */
html body {keyed_prefix("lesson_view_")} button, html body {keyed_prefix("lesson_view_")} button * {{
  color: {PICKED_TEXT}; }}
/* Plotly's 3D camera cancels every touchmove on its scene (the .gl-container's box), turning or not: a view that
   does not turn passes a thumb's swipe through to the page (so it scrolls) */
@media (max-width: {PRESENTER_MIN_WIDTH - 1}px), (pointer: coarse) {{
  {keyed(STILL_3D_KEY)} .gl-container, {keyed(STILL_3D_KEY)} .gl-container * {{ pointer-events: none; }}
}}
</style>"""


def lesson_css() -> None:
    """The lesson's own CSS: thumbs on a phone always, the slide in presenter view."""
    st.html(THUMBS_CSS + (SLIDE_CSS if presenter_requested() else ""))
