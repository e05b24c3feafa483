"""Read back the tables a page drew with ``viz.text.markdown_table`` (AppTest sees them as Markdown)."""

from __future__ import annotations

import re

_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")


def _cells(line: str) -> list[str]:
    inner = line.strip()[1:-1]
    return [_ESCAPE.sub(r"\1", cell.strip()).replace("\u200b", "") for cell in _CELL_SPLIT.split(inner)]


def parse_table(markdown: str) -> dict[str, list[str]] | None:
    """The table in ``markdown`` as {header: [cell, …]} with the escapes undone, or None if it holds none."""
    lines = [line for line in markdown.splitlines() if line.strip().startswith("|")]
    if len(lines) < 2 or not set(lines[1].replace("|", "").replace(" ", "")) <= set("-:"):
        return None
    headers = _cells(lines[0])
    rows = [_cells(line) for line in lines[2:]]
    return {header: [row[index] for row in rows] for index, header in enumerate(headers)}


def tables(at) -> list[dict[str, list[str]]]:
    """Every Markdown table on the page, in order."""
    found = (parse_table(element.value) for element in at.markdown)
    return [table for table in found if table is not None]
