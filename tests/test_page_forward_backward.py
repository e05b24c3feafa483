"""AppTest of the forward/backward page: every matrix drawn is nn_core's, navigation never raises, the URL
holds the stage, the gradient check passes, updates lower the loss, the warm-up shows the article's limits."""


import numpy as np
import pytest

from lessons.stages import STAGE_KEYS, STAGES_BY_KEY
from lessons.step_through import choose_samples
from nn_core.data import load_cancer, split_and_scale
from nn_core.network import PARAM_NAMES, backward, forward, init_params, loss
from tests.plotly_spec import chart_specs, decode_array, traces_by_name

PAGE = "app_pages/forward_backward.py"
DEFAULT_FEATURES = ("mean radius", "mean texture", "worst concave points")
DEFAULT_M, DEFAULT_HIDDEN, DEFAULT_SEED, DEFAULT_LR = 5, 4, 1, 0.5


def expected_matrices(features=DEFAULT_FEATURES, m=DEFAULT_M, n_h=DEFAULT_HIDDEN, seed=DEFAULT_SEED,
                      lr=DEFAULT_LR) -> dict[str, np.ndarray]:
    """The page's example rebuilt independently from nn_core, plus the article's update written out."""
    dataset = load_cancer()
    split = split_and_scale(dataset, features=[dataset.feature_names.index(name) for name in features])
    chosen = choose_samples(split.Y_train, m, seed)
    X, Y = split.X_train[:, chosen], split.Y_train[:, chosen]
    params = init_params(len(features), n_h, seed=seed)
    cache = forward(params, X)
    grads = backward(params, X, Y, cache)
    new = {f"new {name}": params[name] - lr * grads[f"dLoss_{name}"] for name in PARAM_NAMES}
    new_cache = forward({name: new[f"new {name}"] for name in PARAM_NAMES}, X)
    return {"X": X, "Y": Y, **params, **cache, **grads, **new, "Loss": np.array([[loss(cache, Y)]]),
            "new Loss": np.array([[loss(new_cache, Y)]])}


def drawn_charts(at) -> list[dict[str, np.ndarray]]:
    return [traces_by_name(spec) for _, spec in chart_specs(at)]


def stage_chart(at, stage) -> dict[str, np.ndarray]:
    matches = [chart for chart in drawn_charts(at) if set(chart) == set(stage.shown)]
    assert len(matches) == 1, f"no single chart with {stage.shown}; charts: {[list(c) for c in drawn_charts(at)]}"
    return matches[0]


def assert_stage_shows_nn_core(at, stage, expected):
    chart = stage_chart(at, stage)
    for name in stage.shown:
        np.testing.assert_allclose(chart[name], np.atleast_2d(expected[name]), rtol=0, atol=1e-14,
                                   err_msg=f"{stage.key}: {name}")


def test_walk_every_stage_forward_and_back(app_test):
    at = app_test(PAGE)
    assert not at.exception
    expected = expected_matrices()
    assert at.selectbox(key="fb_stage").value == "X"
    for position, key in enumerate(STAGE_KEYS):
        stage = STAGES_BY_KEY[key]
        assert at.selectbox(key="fb_stage").value == key
        assert_stage_shows_nn_core(at, stage, expected)
        assert any(stage.formula in element.value for element in at.get("latex"))
        assert any(stage.numpy_line == element.value for element in at.code)
        if position + 1 < len(STAGE_KEYS):
            at.button(key="fb_next").click().run()
            assert not at.exception, key
    assert at.button(key="fb_next").disabled
    for key in reversed(STAGE_KEYS[:-1]):
        at.button(key="fb_prev").click().run()
        assert not at.exception
        assert at.selectbox(key="fb_stage").value == key
    assert at.button(key="fb_prev").disabled


def test_stage_from_the_url_identity_gradient_check_and_updates(app_test):
    at = app_test(PAGE, query_params={"fb_stage": "dLoss_Z2"})
    assert not at.exception
    assert at.selectbox(key="fb_stage").value == "dLoss_Z2"
    assert not at.button(key="fb_prev").disabled and not at.button(key="fb_next").disabled
    expected = expected_matrices()
    assert_stage_shows_nn_core(at, STAGES_BY_KEY["dLoss_Z2"], expected)

    # the article's chain equals Yh − Y element by element
    identity = next(chart for chart in drawn_charts(at) if "Yh − Y" in chart)
    np.testing.assert_allclose(identity["dLoss_Yh ⊙ dSigmoid(Z2)"], identity["Yh − Y"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(identity["Yh − Y"], expected["Yh"] - expected["Y"], rtol=0, atol=1e-15)
    assert any("dLoss_Yh ⊙ dSigmoid(Z2) = Yh − Y" in element.value for element in at.success)

    # gradient check with the article's h = 0.001: a clear pass, and the heatmaps hold the real gradients
    assert at.select_slider(key="fb_h").value == pytest.approx(1e-3)
    assert any(element.value.startswith("PASS") for element in at.success)
    def check_chart(name: str) -> dict:
        at.radio(key="fb_gc_param").set_value(name).run()
        charts = [chart for chart in drawn_charts(at) if any(label.startswith("difference ") for label in chart)]
        assert len(charts) == 1 and [label for label in charts[0] if label.startswith("difference")] == [
            f"difference {name}"]  # one parameter's three matrices at a time
        return charts[0]

    for name in PARAM_NAMES:
        chart = check_chart(name)
        np.testing.assert_allclose(chart[f"dLoss_{name} (back-prop)"], expected[f"dLoss_{name}"], atol=1e-15)
        assert np.abs(chart[f"difference {name}"]).max() < 1e-3
    at.radio(key="fb_gc_method").set_value("central").run()
    assert max(np.abs(check_chart(name)[f"difference {name}"]).max() for name in PARAM_NAMES) < 1e-6
    # a huge h makes the article's forward difference fail — said plainly, not as a traceback
    at.select_slider(key="fb_h").set_value(1e-1).run()
    assert not at.exception
    assert at.warning or at.error

    # apply updates: the loss falls and the history chart grows
    at.select_slider(key="fb_h").set_value(1e-3).run()
    first_loss = expected["Loss"].item()
    at.selectbox(key="fb_stage").set_value("update").run()
    at.button(key="fb_apply_stage").click().run()
    assert not at.exception
    history = next(chart for _, chart in chart_specs(at) if chart["data"][0].get("name") == "loss")
    losses = decode_array(history["data"][0]["y"])
    assert losses[0] == pytest.approx(first_loss)
    assert losses[1] == pytest.approx(expected["new Loss"].item())
    assert at.selectbox(key="fb_stage").value == "Z1", "the next forward pass starts after an update"
    at.selectbox(key="fb_stage").set_value("update").run()
    at.button(key="fb_apply_ten").click().run()
    assert at.selectbox(key="fb_stage").value == "update", "the repeat buttons leave the learner where they are"
    assert not at.exception
    metrics = {metric.label: float(metric.value) for metric in at.metric}
    assert metrics["Loss after the update"] < metrics["Loss before the update"] < first_loss

    # Reset: first stage, initial weights
    at.button(key="fb_reset").click().run()
    assert at.selectbox(key="fb_stage").value == "X"
    at.selectbox(key="fb_stage").set_value("Loss").run()
    np.testing.assert_allclose(stage_chart(at, STAGES_BY_KEY["Loss"])["Loss"], expected["Loss"], atol=1e-15)


def test_other_seeds_and_sizes_match_nn_core_and_pass_the_check(app_test):
    at = app_test(PAGE, query_params={"fb_stage": "dLoss_W1", "fb_m": "8", "fb_hidden": "6"})
    for seed in (2, 3, 4):
        at.number_input(key="fb_seed").set_value(seed).run()
        assert not at.exception
        assert_stage_shows_nn_core(at, STAGES_BY_KEY["dLoss_W1"], expected_matrices(m=8, n_h=6, seed=seed))
        assert any(element.value.startswith("PASS") for element in at.success), seed


def test_new_example_and_too_few_features(app_test):
    at = app_test(PAGE, query_params={"fb_stage": "X"})
    before = stage_chart(at, STAGES_BY_KEY["X"])["X"]
    at.button(key="fb_new_example").click().run()
    assert at.number_input(key="fb_seed").value == DEFAULT_SEED + 1
    np.testing.assert_allclose(stage_chart(at, STAGES_BY_KEY["X"])["X"], expected_matrices(seed=2)["X"], atol=1e-14)
    assert not np.array_equal(before, stage_chart(at, STAGES_BY_KEY["X"])["X"])
    at.multiselect(key="fb_features").set_value(["mean radius"]).run()
    assert not at.exception
    assert any("at least two" in element.value for element in at.warning)
    at.multiselect(key="fb_features").set_value(["mean radius", "mean area", "worst radius", "mean symmetry",
                                                 "worst texture", "mean smoothness"]).run()
    assert not at.exception
    assert stage_chart(at, STAGES_BY_KEY["X"])["X"].shape == (6, DEFAULT_M)


@pytest.mark.parametrize("x, limit", [(3.0, "6.001"), (-2.0, "-3.999")])
def test_derivative_warm_up_tends_to_the_tangent(app_test, x, limit):
    at = app_test(PAGE, query_params={"fb_x": str(x), "fb_dh": "0.001"})
    assert not at.exception
    assert at.slider(key="fb_x").value == x
    assert any(f"&= {limit} \\end{{aligned}}" in element.value for element in at.get("latex"))


def test_stepping_does_not_recompute(app_test, monkeypatch):
    """Next / Previous only change what is shown: forward/backward and the gradient check run once per
    example, iteration and learning rate (h for the check), not once per click."""
    import lessons.step_through
    import nn_core.gradcheck

    calls = {"matrices": 0, "checks": 0}

    def counted(name, function):
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return function(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(lessons.step_through, "collect_matrices",
                        counted("matrices", lessons.step_through.collect_matrices))
    monkeypatch.setattr(nn_core.gradcheck, "gradient_check", counted("checks", nn_core.gradcheck.gradient_check))
    at = app_test(PAGE)
    assert calls == {"matrices": 1, "checks": 2}  # forward + central differences
    for _ in range(3):
        at.button(key="fb_next").click().run()
    at.button(key="fb_prev").click().run()
    assert not at.exception
    assert calls == {"matrices": 1, "checks": 2}
    at.slider(key="fb_lr").set_value(0.2).run()  # the update preview depends on η: recomputed once
    assert calls["matrices"] == 2


def test_applied_updates_live_in_the_link_and_replay_to_the_same_weights(app_test):
    at = app_test(PAGE)
    at.slider(key="fb_lr").set_value(0.2).run()
    at.button(key="fb_apply_ten").click().run()
    at.slider(key="fb_lr").set_value(0.5).run()
    at.button(key="fb_apply_one").click().run()
    assert at.query_params["fb_updates"] == "0.2*10,0.5*1"
    weights = at.session_state["fb_params"]["W1"].copy()

    shared = app_test(PAGE, query_params={"fb_updates": "0.2*10,0.5*1", "fb_lr": "0.5"})
    assert not shared.exception, shared.exception
    assert shared.session_state["fb_iteration"] == 11
    np.testing.assert_array_equal(shared.session_state["fb_params"]["W1"], weights)


def test_a_bad_update_log_in_the_link_gets_a_note_and_the_initial_weights(app_test):
    at = app_test(PAGE, query_params={"fb_updates": "inf*3"})
    assert not at.exception, at.exception
    assert at.session_state["fb_iteration"] == 0
    notes = [warning.value.replace("\\", "") for warning in at.warning if "from the link" in warning.value]
    assert len(notes) == 1 and notes[0].startswith("Ignored fb_updates=inf*3 from the link")


@pytest.mark.parametrize(("key", "raw"), [
    ("fb_seed", "inf"), ("fb_seed", "1e400"), ("fb_m", "nan"), ("fb_hidden", "99"), ("fb_lr", "-inf"),
    ("fb_stage", "<b>Z1</b>"), ("fb_h", "0.5"), ("fb_x", "1e400"), ("fb_features", "[x](http://127.0.0.1:9)"),
])
def test_a_bad_value_in_a_link_is_dropped_with_a_note_that_names_it(app_test, key, raw):
    at = app_test(PAGE, query_params={key: raw})
    assert not at.exception, at.exception
    notes = [warning.value.replace("\\", "") for warning in at.warning if "from the link" in warning.value]
    assert len(notes) == 1 and notes[0].startswith(f"Ignored {key}="), notes
    assert key not in at.query_params


def _chain_code(at, label="dLoss_W1[h1,f1]"):
    return next(element for element in at.code if element.value.startswith(label))


def test_the_chain_keeps_its_tree_and_the_all_terms_toggle_appears_only_when_it_changes_something(app_test):
    """Lines of the chain are never wrapped (the indentation is the tree; a long line scrolls), and "Show every
    term of the sums" is offered only when a sum has more terms than are shown."""
    at = app_test(PAGE, query_params={"fb_stage": "dLoss_W1", "fb_cell": "dLoss_W1[h1,f1]"})
    assert not at.exception, at.exception
    code = _chain_code(at)
    assert code.proto.wrap_lines is False
    assert "    where" in code.value or "  where" in code.value  # the tree's indentation is kept
    assert not [toggle for toggle in at.toggle if toggle.key == "fb_chain_all"]  # m = 5: every term is shown
    at = app_test(PAGE, query_params={"fb_stage": "dLoss_W1", "fb_cell": "dLoss_W1[h1,f1]", "fb_m": "12"})
    assert not at.exception, at.exception
    short = _chain_code(at).value
    at.toggle(key="fb_chain_all").set_value(True).run()
    assert not at.exception, at.exception
    full = _chain_code(at).value
    assert full != short and full.count("s12") > short.count("s12") - 1 and len(full) > len(short)


@pytest.mark.parametrize(("key", "raw", "widget", "applied"), [
    ("fb_gc_method", "central", "radio", "central"),  # the key; the bound radio reads its label
    ("fb_gc_param", "b2", "radio", "b2"), ("fb_h", "1e-5", "select_slider", 1e-5),
    ("fb_dh", "0.10", "select_slider", 0.1),
])
def test_every_value_a_link_check_accepts_is_applied(app_test, key, raw, widget, applied):
    at = app_test(PAGE, query_params={key: raw})
    assert not at.exception, at.exception
    assert not [w.value for w in at.warning if "from the link" in w.value]
    assert getattr(at, widget)(key=key).value == applied


def test_a_repeated_key_is_named_in_a_note(app_test):
    at = app_test(PAGE, query_params={"fb_m": ["3", "4"]})
    notes = [warning.value.replace("\\", "") for warning in at.warning if "from the link" in warning.value]
    assert notes == ["Ignored fb_m=3,4 from the link: expected one value."]
    assert at.slider(key="fb_m").value == 5
