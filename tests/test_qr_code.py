"""The join link's QR code (viz/qr_code.py, made by segno): an SVG that scales, and a code that changes with the
link and holds a long link too."""

from urllib.parse import unquote

from viz.qr_code import qr_modules, qr_svg_data_uri

LINK = "https://backprop-lab.streamlit.app/lesson?class=ABCDEFG"


def test_the_svg_scales_to_any_size_and_is_black_on_white():
    svg = unquote(qr_svg_data_uri(LINK))
    assert svg.startswith("data:image/svg+xml")
    assert "viewBox=" in svg and "width=" not in svg.split(">")[0]  # sized by the page, without blur
    assert "#000" in svg and "#fff" in svg


def test_the_code_depends_on_the_link_and_has_room_for_a_long_one():
    small, other = qr_modules(LINK), qr_modules(LINK.replace("ABCDEFG", "ABCDEFH"))
    assert small != other
    assert len(small) == len(small[0]) >= 21 and any(any(row) for row in small)
    long_link = "https://" + "a" * 200 + ".example/lesson?class=ABCDEFG"
    assert len(qr_modules(long_link)) > len(small)
