"""User text shown literally: Plotly label markup and Markdown/HTML/Streamlit markup are neutralised.

What the escaped strings look like in a real browser was checked in Chromium (st.markdown, st.info,
st.caption and a Plotly heatmap): the text appears as typed, with no image, link, bold, emoji or maths.
"""

from __future__ import annotations

import html
import re

import numpy as np
import pytest

from tests.markdown_tables import parse_table
from viz.metrics import confusion_matrix_figure
from viz.text import markdown_literal, markdown_table, plotly_literal

HOSTILE = [
    "![pix](http://example.com/x.png)",
    "**bold** _it_ `code` ~~gone~~",
    "<b>B</b> <img src=x onerror=alert(1)> &amp; &lt;",
    ":red[red] :smile: :material/home: $x^2$ $$y$$",
    "# heading\n- item\r\n1. one\r> quote",
    "[link](javascript:alert(1)) www.example.com http://example.com me@example.org",
    "a\\*b | c | d \\",
    "plain name 2",
]
ASCII_PUNCTUATION = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
# Streamlit's own test for "this text needs the emoji plugin" (frontend StreamlitMarkdown, v1.67)
STREAMLIT_EMOJI_TEST = re.compile(r":(?!material/|streamlit:)[\w+-][\w_+-]*:")


def _commonmark_text(escaped: str) -> str:
    """What CommonMark shows for a string: a backslash before ASCII punctuation is removed."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", escaped)


def _unescaped_punctuation(escaped: str) -> list[str]:
    """ASCII punctuation that CommonMark would read as markup (not preceded by its escaping backslash)."""
    found, i = [], 0
    while i < len(escaped):
        if escaped[i] == "\\" and i + 1 < len(escaped) and escaped[i + 1] in ASCII_PUNCTUATION:
            i += 2
            continue
        if escaped[i] in ASCII_PUNCTUATION:
            found.append(escaped[i])
        i += 1
    return found


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_literal_escapes_every_markup_character(text):
    escaped = markdown_literal(text)
    shown = _commonmark_text(escaped).replace("\u200b", "")
    assert shown == re.sub(r"\r\n|\r|\n", " ", text)  # as typed, line breaks as spaces
    assert _unescaped_punctuation(escaped) == [], (text, escaped)
    assert "\n" not in escaped and "\r" not in escaped
    assert not STREAMLIT_EMOJI_TEST.search(escaped) and ":material/" not in escaped


def test_markdown_literal_breaks_what_escaping_cannot_stop():
    """GFM links bare URLs, addresses and www. even with escaped dots; remark-emoji sees ':smile:' as text."""
    escaped = markdown_literal("www.example.com http://example.com me@example.org :smile:")
    shown = _commonmark_text(escaped)
    for pattern in ("www.", "http://", "@example", ":smile:"):
        assert pattern not in shown, (pattern, shown)
    assert shown.replace("\u200b", "") == "www.example.com http://example.com me@example.org :smile:"


@pytest.mark.parametrize("text", HOSTILE)
def test_plotly_literal_leaves_no_tag_and_decodes_back_to_the_text(text):
    escaped = plotly_literal(text)
    assert "<" not in escaped and ">" not in escaped
    assert re.sub(r"&(?!amp;|lt;|gt;)", "", escaped) == escaped  # every & starts one of the three entities
    assert html.unescape(escaped) == text  # Plotly decodes &amp; &lt; &gt; the same way


def test_plotly_literal_examples():
    assert plotly_literal("<b>B</b>") == "&lt;b&gt;B&lt;/b&gt;"
    assert plotly_literal("a&amp;b") == "a&amp;amp;b"
    assert plotly_literal("benign") == "benign"


def test_confusion_matrix_shows_class_labels_as_typed():
    fig = confusion_matrix_figure(np.array([[5, 1], [2, 7]]), ("<b>B</b>", "M&amp;<br>x"))
    heatmap = fig.data[0]
    assert list(heatmap.x) == ["predicted &lt;b&gt;B&lt;/b&gt;", "predicted M&amp;amp;&lt;br&gt;x"]
    assert list(heatmap.y) == ["true &lt;b&gt;B&lt;/b&gt;", "true M&amp;amp;&lt;br&gt;x"]
    assert "missed<br>M&amp;amp;&lt;br&gt;x" in heatmap.text[1][0]
    assert "<b>2</b>" in heatmap.text[1][0]  # the app's own markup is kept


def test_markdown_table_keeps_cells_as_typed_and_aligns_numbers():
    columns = {"threshold": [0.5, 0.7], "missed <b>M</b> | x": [3, 4], "model": ["a|b", "**bold** :red[x]"]}
    text = markdown_table(columns)
    lines = text.splitlines()
    assert lines[1] == "| ---: | ---: | --- |"  # numbers right, text left
    assert len(lines) == 4 and all(line.count(" | ") == 2 for line in lines)  # no cell adds a column
    assert "<b>" not in text and "**bold**" not in text
    assert parse_table(text) == {"threshold": ["0.5", "0.7"], "missed <b>M</b> | x": ["3", "4"],
                                 "model": ["a|b", "**bold** :red[x]"]}


def test_markdown_table_refuses_ragged_columns():
    with pytest.raises(ValueError, match="same length"):
        markdown_table({"a": [1, 2], "b": [1]})
