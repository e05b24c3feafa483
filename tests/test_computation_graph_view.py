"""AppTest: the forward & backward page shows the computation graph with nn_core's numbers; picking a node
shows its rule, and the rule's button opens the step-through at its cell with the chain of numbers."""

import json

from tests.plotly_spec import chart_specs
from tests.test_page_forward_backward import PAGE, expected_matrices
from viz.computation_graph import GRAD_MEANING
from viz.style import format_number


def _graph_spec(at) -> dict:
    (spec,) = [spec for element_id, spec in chart_specs(at) if element_id.endswith("fb_graph")]
    return spec


def test_the_page_shows_the_graph_and_a_rule_that_links_to_the_step_through(app_test):
    at = app_test(PAGE, {"fb_stage": "dLoss_Z1"})
    assert not at.exception
    # the heading says what a per-sample grad is (the sample's own loss's slope, m × the mean loss's), as the
    # text alternative and nn_core.graph do — never "dLoss/d(node)" (issue 29)
    (heading,) = [caption.value for caption in at.caption if caption.value.startswith("Each node shows")]
    assert f"Each node shows {GRAD_MEANING}, for sample s1." in heading and "dLoss/d(node)" not in heading
    spec = _graph_spec(at)
    assert [row[0] for row in spec["data"][0]["customdata"]][:3] == ["X", "W1", "W1·X"]
    texts = json.dumps([a.get("text", "") for a in spec["layout"]["annotations"]], ensure_ascii=False)
    expected = expected_matrices()
    for h in range(4):  # + b1 shows dLoss_Z1 of sample s1, the diagram's sample
        assert format_number(float(expected["dLoss_Z1"][h, 0])) in texts

    at.selectbox(key="fb_graph_node").set_value("+ b1").run()
    assert not at.exception
    code = "\n".join(block.value for block in at.code)
    largest = int(abs(expected["dLoss_b1"][:, 0]).argmax())  # the rule writes out the largest dLoss_b1
    assert f"to b1: every sample's copy, dLoss_b1[h{largest + 1}] =" in code
    assert code.endswith(format_number(float(expected["dLoss_b1"][largest, 0])))
    (button,) = [b for b in at.button if b.key and b.key.startswith("fb_graph_see_")]
    button.click().run()
    assert not at.exception
    assert at.selectbox(key="fb_stage").value == "dLoss_b1"
    assert at.session_state.fb_cell.startswith("dLoss_b1[h")
    assert any(f"Why is `{at.session_state.fb_cell}`" in md.value for md in at.markdown)


def test_the_graph_shows_the_diagrams_sample_whatever_opened_it(app_test):
    """One reader of the picked sample: a link's cell opens the diagram on its sample, and the graph shows the same
    sample's numbers (they agreed only by call order before); changing the picker moves both."""
    expected = expected_matrices()
    at = app_test(PAGE, {"fb_stage": "dLoss_Z1", "fb_cell": "dLoss_Z1[h2,s4]"})
    assert not at.exception
    assert at.selectbox(key="fb_sample").value == "s4"
    assert any("for sample s4" in caption.value for caption in at.caption)
    texts = json.dumps([a.get("text", "") for a in _graph_spec(at)["layout"]["annotations"]], ensure_ascii=False)
    assert all(format_number(float(expected["dLoss_Z1"][h, 3])) in texts for h in range(4))
    at.selectbox(key="fb_sample").set_value("s2").run()
    assert any("for sample s2" in caption.value for caption in at.caption)
