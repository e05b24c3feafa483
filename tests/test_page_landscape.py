"""AppTest of the landscape page: every surface and optimizer, changed sliders, divergence, the real
landscape with both kinds of directions, and settings read from the URL."""


import re

import numpy as np
import pytest

from nn_core.surfaces import SURFACES
from tests.plotly_spec import chart_specs, decode_array

PAGE = "app_pages/landscape.py"


def _specs(at) -> list[dict]:
    """The 3D view (drawn in place), then the st.plotly_chart charts."""
    return [spec for _, spec in chart_specs(at)]


def _numbers(node):
    """Every number in a Plotly spec, with typed arrays decoded (their base64 text can contain "NaN")."""
    if isinstance(node, dict):
        if "bdata" in node:
            yield from decode_array(node).ravel().tolist()
        else:
            for value in node.values():
                yield from _numbers(value)
    elif isinstance(node, list):
        for value in node:
            yield from _numbers(value)
    elif isinstance(node, float):
        yield node


def _assert_figures_are_sound(at) -> dict:
    assert not at.exception, at.exception
    specs = _specs(at)
    assert len(specs) == 3  # 3D surface, contour, loss chart
    surface = specs[0]
    assert surface["data"][0]["type"] == "surface"
    assert len(surface["frames"]) >= 2
    assert all(trace["type"] == "scatter3d" for frame in surface["frames"] for trace in frame["data"])
    # the height's name above the 3D view says "height" once ("height: f(x, y)", "height: training loss")
    height_label = surface["layout"]["annotations"][0]["text"]
    assert height_label.startswith("height: ") and height_label.count("height") == 1, height_label
    for spec in specs:
        assert np.isfinite(list(_numbers(spec))).all()
        traces = spec["data"] + [trace for frame in spec.get("frames", []) for trace in frame["data"]]
        for trace in traces:
            for axis in ("x", "y", "z"):
                if trace.get(axis) is not None:
                    assert np.isfinite(decode_array(trace[axis])).all(), (trace.get("name"), axis)
    return surface


def test_every_toy_surface_and_optimizer_with_changed_sliders(app_test):
    at = app_test(PAGE)
    _assert_figures_are_sound(at)
    assert "global minimum" in " ".join(s.value for s in at.success)  # momentum/Adam find it from the default start
    assert "local minimum" in " ".join(i.value for i in at.info)  # plain GD does not

    at.multiselect(key="land_optimizers").set_value(["gd", "momentum", "rmsprop", "adam"]).run()
    surface = _assert_figures_are_sound(at)
    assert len(surface["frames"][0]["data"]) == 4  # four balls (trails are drawn once, not in every frame)

    for key in SURFACES:
        at.selectbox(key="land_surface").set_value(key).run()
        _assert_figures_are_sound(at)

    at.slider(key="land_steps").set_value(40).run()
    at.slider(key="land_x0").set_value(1.0).run()
    at.slider(key="land_noise").set_value(0.5).run()
    at.select_slider(key="land_lr").set_value(0.0316).run()
    surface = _assert_figures_are_sound(at)
    assert len(surface["frames"]) == 41  # 40 steps + the start

    at.radio(key="land_mode").set_value("sweep").run()
    surface = _assert_figures_are_sound(at)
    assert len(surface["frames"][0]["data"]) == 5  # five learning rates: one ball each
    assert at.multiselect(key="land_optimizers").disabled


def test_diverging_learning_rate_is_explained_not_drawn_as_nan(app_test):
    at = app_test(PAGE)
    at.selectbox(key="land_surface").set_value("bowl").run()
    at.select_slider(key="land_lr").set_value(3.16).run()
    _assert_figures_are_sound(at)
    errors = " ".join(e.value for e in at.error)
    assert "too high" in errors and "flew off" in errors
    at.select_slider(key="land_lr").set_value(10.0).run()
    at.radio(key="land_mode").set_value("sweep").run()
    _assert_figures_are_sound(at)
    assert len(at.error) == 5  # every ball of the sweep flies off at 2.5 … 40


def test_suggested_start_button_moves_the_start(app_test):
    at = app_test(PAGE)
    at.selectbox(key="land_surface").set_value("saddle").run()
    at.button(key="land_suggest").click().run()
    assert (at.slider(key="land_x0").value, at.slider(key="land_y0").value) == SURFACES["saddle"].suggested_start
    assert "stalled" in " ".join(i.value for i in at.info)


def test_real_landscape_with_both_directions_and_divergence(app_test):
    at = app_test(PAGE)
    at.selectbox(key="land_surface").set_value("real").run()
    at.slider(key="land_resolution").set_value(11).run()
    at.slider(key="land_steps").set_value(30).run()
    surface = _assert_figures_are_sound(at)
    # it opens on the plane the training moved in (PCA of the paths), where the paths are visible
    assert "% of variance" in _specs(at)[1]["layout"]["xaxis"]["title"]["text"]  # the top view's full title
    assert surface["layout"]["scene"]["xaxis"]["title"]["text"] == "α"
    assert decode_array(surface["data"][0]["z"]).shape == (11, 11)
    assert "Why the dotted and solid lines differ" in " ".join(i.value for i in at.info)
    top_view = _specs(at)[1]
    axis = decode_array(top_view["data"][0]["x"]) if isinstance(top_view["data"][0]["x"], dict) \
        else np.asarray(top_view["data"][0]["x"], dtype=float)
    paths = [np.asarray(decode_array(t["x"]) if isinstance(t["x"], dict) else t["x"], dtype=float)
             for t in top_view["data"][1:] if t.get("mode", "").startswith("lines")]
    assert paths and max(np.ptp(path) for path in paths) > 0.2 * np.ptp(axis)
    loss_chart = _specs(at)[2]
    assert any("real loss" in trace["name"] for trace in loss_chart["data"])
    words = " ".join(m.value for m in at.markdown)
    assert "arxiv.org/abs/1712.09913" in words  # Li et al. 2018, linked
    for term in ("**θ\\***", "**δ and η**", "**Filter-normalized**", "**PCA of the training path**"):
        assert term in words, term
    assert "In words:" in words and ", loss " not in words.split("In words:")[1].split("\n")[0]

    at.radio(key="land_directions").set_value("random").run()
    surface = _assert_figures_are_sound(at)
    assert "filter-normalized" in _specs(at)[1]["layout"]["xaxis"]["title"]["text"]

    at.select_slider(key="land_batch").set_value("8").run()
    _assert_figures_are_sound(at)

    at.select_slider(key="land_lr").set_value(10.0).run()
    _assert_figures_are_sound(at)
    assert "flew off" in " ".join(e.value for e in at.error)


@pytest.mark.parametrize("query", [
    {"land_surface": "Simple bowl", "land_lr": "3.16", "land_optimizers": "Gradient descent"},
])
def test_settings_are_read_from_the_url(app_test, query):
    at = app_test(PAGE, query_params=query)
    assert at.selectbox(key="land_surface").value == "bowl"
    assert at.select_slider(key="land_lr").value == pytest.approx(3.16)
    assert at.multiselect(key="land_optimizers").value == ["gd"]
    _assert_figures_are_sound(at)
    assert "flew off" in " ".join(e.value for e in at.error)


@pytest.mark.parametrize(("query", "shown"), [
    ({"land_seed": "inf"}, "Ignored land_seed=inf from the link: not a whole number between 0 and 9999."),
    ({"land_seed": "1e400"}, "Ignored land_seed=1e400 from the link"),
    ({"land_seed": "nan"}, "Ignored land_seed=nan from the link"),
    ({"land_surface": "realistic"}, "Ignored land_surface=realistic from the link: not one of hills"),
    ({"land_steps": "**5**"}, "Ignored land_steps=**5** from the link"),
])
def test_a_bad_link_value_is_named_in_a_literal_note_and_the_page_still_works(app_test, query, shown):
    at = app_test(PAGE, query_params=query)
    _assert_figures_are_sound(at)
    notes = [text.value for text in at.text]
    assert any(shown in note for note in notes), notes
    assert at.number_input(key="land_seed").value == 0 and at.selectbox(key="land_surface").value == "hills"


def test_links_carry_short_keys_and_old_label_links_still_work(app_test):
    at = app_test(PAGE, query_params={"land_surface": "real", "land_seed": "7", "land_resolution": "11",
                                      "land_steps": "20"})
    assert not at.text  # nothing ignored
    assert at.selectbox(key="land_surface").value == "real" and at.number_input(key="land_seed").value == 7
    assert at.query_params["land_surface"] in ("real", ["real"]) and at.query_params["land_seed"] in ("7", ["7"])
    old = app_test(PAGE, query_params={"land_surface": "Narrow curved valley (Rosenbrock)",
                                       "land_mode": "Learning-rate sweep"})
    assert old.selectbox(key="land_surface").value == "valley" and old.radio(key="land_mode").value == "sweep"
    assert old.query_params["land_surface"] in ("valley", ["valley"])


def test_toy_outcomes_speak_of_height_and_count_steps_in_words(app_test):
    at = app_test(PAGE, query_params={"land_steps": "10", "land_surface": "valley"})
    lines = " ".join(alert.value for alert in [*at.success, *at.info, *at.error])
    assert "height" in lines and " loss " not in lines
    assert "after 10 steps" in lines
    at.select_slider(key="land_lr").set_value(10.0).run()
    at.radio(key="land_mode").set_value("sweep").run()
    assert "lie outside the slider's range" in " ".join(m.value for m in at.markdown)


def test_a_repeated_key_is_named_like_on_the_other_pages(app_test):
    at = app_test(PAGE, query_params={"land_seed": ["1", "2"]})
    assert [text.value for text in at.text] == ["⚠ Ignored land_seed=1, 2 from the link: expected one value."]
    assert at.number_input(key="land_seed").value == 0


def _map_spans(top_view: dict) -> dict[str, float]:
    """Each path of the top view: the larger side of its bounding box as a share of the map's side."""
    layout = top_view["layout"]
    side = np.ptp(layout["xaxis"]["range"])
    assert np.ptp(layout["yaxis"]["range"]) == pytest.approx(side)  # a square map: distances comparable
    return {trace["name"]: max(np.ptp(decode_array(trace["x"])), np.ptp(decode_array(trace["y"]))) / side
            for trace in top_view["data"] if trace.get("mode") == "lines+markers"}


def test_real_network_at_its_defaults_shows_every_ball_moving_and_says_how_far(app_test):
    """Issue 28: at the page's defaults (GD, momentum, Adam at lr 0.1 for 100 steps) every path spans at least 5 %
    of the map — on a plane centred on θ* and pooled over the paths, GD's spanned 2 % and momentum's 6 % — and the
    map still shows that they moved different distances (the order of the spans is the order of the distances)."""
    at = app_test(PAGE, query_params={"land_surface": "real"})
    _assert_figures_are_sound(at)
    spans = _map_spans(_specs(at)[1])
    assert len(spans) == 3 and min(spans.values()) >= 0.05, spans
    words = " ".join(m.value for m in at.markdown)
    sentence = next(line for line in words.split("\n") if "What to see" in line)
    distances = {label: float(re.search(re.escape(label) + r": ([\d.]+)", sentence).group(1)) for label in spans}
    assert sorted(spans, key=spans.get) == sorted(distances, key=distances.get)  # nothing rescaled per ball
    assert "moved less, not one the map hides" in sentence


def test_each_link_gets_its_own_real_scene_and_the_same_link_the_shared_one(app_test, monkeypatch):
    """The shared cache's key is the settings the scene is computed from: another seed (or any other setting) is
    another scene — never the first link's served to the second — and the same link is computed once."""
    import functools

    from streamlit_glue import landscape_views

    computed = []
    real = landscape_views._lesson_scene

    @functools.wraps(real)
    def counting(settings):
        computed.append(settings)
        return real(settings)

    monkeypatch.setattr(landscape_views, "_lesson_scene", counting)
    cheap = {"land_surface": "real", "land_resolution": "11", "land_steps": "10"}
    surfaces = {}
    for seed in ("1", "2", "1"):
        at = app_test(PAGE, query_params={**cheap, "land_seed": seed})
        assert not at.exception, at.exception
        surfaces.setdefault(seed, []).append(decode_array(_specs(at)[0]["data"][0]["z"]))
    assert [settings.seed for settings in computed] == [1, 2]  # the third session got the first one's scene
    assert not np.array_equal(surfaces["1"][0], surfaces["2"][0])
    assert np.array_equal(surfaces["1"][0], surfaces["1"][1])
    at = app_test(PAGE, query_params={**cheap, "land_seed": "1", "land_batch": "8"})  # the page's every setting
    assert not at.exception, at.exception                                           # reaches the scene's key
    assert len(computed) == 3 and computed[-1] == landscape_views.RealScene(**{**vars(computed[0]), "batch_size": 8})
    for field, other in (("steps", 20), ("resolution", 21), ("directions", "random"), ("batch_size", 8),
                         ("balls", (("gd", 0.1),))):
        changed = landscape_views.RealScene(**{**vars(computed[0]), field: other})
        assert changed != computed[0] and hash(changed) != hash(computed[0]), field
