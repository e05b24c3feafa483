"""The README is the newcomer's first page: every picture and file it points to must exist in the repository
(a screenshot named in the live-class section was once missing)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
# Markdown links and images: ](target) — the target up to a space or ')' (a title may follow).
LINK = re.compile(r"\]\(([^)\s]+)")


def local_targets(text: str) -> list[str]:
    """The link targets that name a file of the repository (not a web address, not a heading anchor)."""
    targets = []
    for target in LINK.findall(text):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
            continue
        targets.append(target.split("#", 1)[0])
    return targets


def test_local_targets_reads_images_and_files_but_not_web_addresses():
    text = "![a](docs/a.png) [b](deploy/run-local) [c](https://x.org/y) [d](#deploy) [e](tests/e2e/ \"title\")"
    assert local_targets(text) == ["docs/a.png", "deploy/run-local", "tests/e2e/"]


def test_every_file_and_picture_the_readme_points_to_exists():
    targets = local_targets(README.read_text(encoding="utf-8"))
    assert any(target.endswith(".png") for target in targets), "the README shows screenshots"
    missing = [target for target in targets if not (ROOT / target).exists()]
    assert not missing, f"README points to files that are not in the repository: {missing}"
