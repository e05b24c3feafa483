"""User text (column names, class labels, file names) shown literally: as typed, never as markup.

Plotly draws a subset of HTML in every label (``<b>``, ``<br>``, ``<a href>``, entities), and Streamlit's
``st.markdown``/``st.info``/``st.caption``/``st.error`` draw Markdown plus its own extensions (``:red[…]``,
``:material/…:``, emoji shortcodes, ``$…$`` maths). A column named ``![pix](http://x)`` would become an image
the browser fetches, and a class ``<b>B</b>`` would be drawn bold. These two functions neutralise that.
Pure functions, no Streamlit import: the pages call them where user text meets markup.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

# CommonMark: any ASCII punctuation character may be backslash-escaped, and then is plain text.
_MARKDOWN_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")
# Streamlit loads remark-emoji when the text has :word: — an escaped colon still reaches it as text, so a
# zero-width space after the colon keeps ':smile:' from turning into an emoji.
_EMOJI_SHORTCODE = re.compile(r":(?=[\w+-][\w+-]*:)")
_LINE_BREAKS = re.compile(r"\r\n|\r|\n")
# GFM turns bare www.x.org, http://x and a@b.org into links even when their punctuation is escaped (checked in
# Chromium); a zero-width space after "www", the scheme or "@" leaves the text as typed but not a link.
_AUTOLINK = re.compile(r"(?i)(\bwww(?=\.)|\b(?:https?|ftp|mailto|xmpp)(?=:)|@)")


def plotly_literal(text: str) -> str:
    """Escape Plotly's label markup so ``text`` is drawn as typed (``<b>B</b>`` stays ``<b>B</b>``).

    Plotly turns ``&lt;``, ``&gt;`` and ``&amp;`` back into the characters; ``&`` goes first so an entity
    the user typed (``&amp;``) is shown as typed too. Use for values, titles and tick labels — never put user
    text inside a ``hovertemplate``/``texttemplate`` string itself (``%{…}`` there is a placeholder).
    """
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def markdown_literal(text: str) -> str:
    """Escape Markdown, HTML and Streamlit's extensions so st.markdown/st.info/st.caption show ``text`` as typed.

    Every ASCII punctuation character gets a backslash (CommonMark makes it plain text, which also stops
    ``:red[…]``, ``:material/…:`` and ``$…$`` maths); line breaks become spaces so user text cannot start a
    heading, list or code block. Zero-width spaces break what escaping cannot stop (emoji shortcodes, bare
    links). Use for a whole message made of plain text, or for the user's part of one.
    """
    text = _LINE_BREAKS.sub(" ", str(text))
    text = _EMOJI_SHORTCODE.sub(":\u200b", text)
    text = _AUTOLINK.sub("\\1\u200b", text)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def markdown_table(columns: Mapping[str, Sequence]) -> str:
    """A table for ``st.markdown``: a header row, one row per position, every header and cell shown as typed
    (``markdown_literal``; a ``|`` in a name is escaped, so it cannot add a column). Numeric columns are
    right-aligned. Why not ``st.dataframe``: a few rows of numbers do not need a canvas grid, and this draws a
    real ``<table>`` (what a screen reader expects) with none of the dozen frontend files and the Arrow encoding
    a data frame costs every student who opens the page."""
    headers = list(columns)
    values = [list(column) for column in columns.values()]
    if not headers or len({len(column) for column in values}) != 1:
        raise ValueError("a table needs at least one column, all of the same length")

    def is_number(value: object) -> bool:
        return isinstance(value, (int, float)) and not isinstance(value, bool)

    align = ["---:" if column and all(is_number(value) for value in column) else "---" for column in values]
    lines = ["| " + " | ".join(markdown_literal(header) for header in headers) + " |",
             "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(markdown_literal(value) for value in row) + " |" for row in zip(*values, strict=True)]
    return "\n".join(lines)
