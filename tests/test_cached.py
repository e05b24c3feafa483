"""Shared caches: every one bounded (max_entries and ttl), within its stated memory, never leaking one session's
value into another's; the same link computed once."""

from __future__ import annotations

import ast
import pickle

import pytest

from lessons.training_run import RunConfig, run_training
from nn_core.data import load_cancer, split_and_scale
from streamlit_glue.cached import NotComputed, shared_training_run
from tests.conftest import ROOT

CACHE_DECORATORS = {"cache_data", "cache_resource"}
TRAIN_PAGE = "app_pages/train_cancer.py"


def _cache_decorators(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in node.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                if isinstance(target, ast.Attribute) and target.attr in CACHE_DECORATORS:
                    yield node.name, decorator


def test_every_cache_in_the_app_has_max_entries_and_ttl():
    found, unbounded = [], []
    for path in ROOT.glob("*/**/*.py"):
        if path.parts[len(ROOT.parts)] in ("tests", "bench", ".artifacts") or ".venv" in path.parts:
            continue
        for name, decorator in _cache_decorators(ast.parse(path.read_text(), str(path))):
            found.append(name)
            keywords = {kw.arg for kw in decorator.keywords} if isinstance(decorator, ast.Call) else set()
            if not {"max_entries", "ttl"} <= keywords:
                unbounded.append(f"{path.relative_to(ROOT)}:{decorator.lineno} {name}")
    assert len(found) >= 8, found  # the check is looking at the caches at all
    assert not unbounded, f"caches without max_entries and ttl: {unbounded}"


def test_the_check_catches_an_unbounded_cache():
    tree = ast.parse("import streamlit as st\n@st.cache_data(max_entries=3)\ndef f(): pass\n"
                     "@st.cache_resource\ndef g(): pass\n")
    decorators = dict(_cache_decorators(tree))
    assert set(decorators) == {"f", "g"}
    assert not isinstance(decorators["g"], ast.Call)


@pytest.fixture(scope="module")
def split():
    return split_and_scale(load_cancer(), test_size=0.2, seed=0, stratify=True, scaling="standard")


def test_a_shared_run_is_looked_up_stored_and_each_caller_gets_its_own_copy(split):
    run = run_training(split, RunConfig(hidden=4, lr=0.1, iterations=30, batch_size=None, optimizer="gd",
                                        init_seed=1))
    with pytest.raises(NotComputed):
        shared_training_run("link A")
    shared_training_run("link A", _computed=run)
    first, second = shared_training_run("link A"), shared_training_run("link A")
    assert first is not second and first.params is not second.params  # pickled: a copy per session
    first.params["W1"][:] = 0.0  # what one session does to its copy …
    assert (shared_training_run("link A").params["W1"] == run.params["W1"]).all()  # … never reaches the next
    with pytest.raises(NotComputed):
        shared_training_run("link B")  # another link is another entry


def test_a_stored_run_stays_within_the_stated_memory(split):
    """cached.py states ≤ 2.1 MB per run (64 units: 120 weight snapshots); the defaults ~0.5 MB."""
    default = run_training(split, RunConfig(hidden=15, lr=0.1, iterations=300, batch_size=None, optimizer="gd",
                                            init_seed=1))
    wide = run_training(split, RunConfig(hidden=64, lr=0.1, iterations=600, batch_size=None, optimizer="gd",
                                         init_seed=1))
    assert len(pickle.dumps(default)) < 0.6e6
    assert len(pickle.dumps(wide)) < 2.1e6


def _count_trainings(monkeypatch) -> list[int]:
    import streamlit_glue.training_session as session

    calls, real = [], session.run_training

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(session, "run_training", counting)
    return calls


def test_a_link_is_trained_once_for_every_session_and_train_does_not_retrain_it(app_test, monkeypatch):
    calls = _count_trainings(monkeypatch)
    first = app_test(TRAIN_PAGE)
    second = app_test(TRAIN_PAGE)
    assert len(calls) == 1
    second.button(key="train_run").click().run()  # Train on a link someone already trained
    assert not second.exception and len(calls) == 1
    assert (second.session_state["train_result"]["params"]["W1"]
            == first.session_state["train_result"]["params"]["W1"]).all()
    other = app_test(TRAIN_PAGE, query_params={"train_hidden": "4"})  # another link trains its own run
    assert len(calls) == 2 and other.session_state["train_result"]["params"]["W1"].shape == (4, 30)
    second.run()
    assert second.session_state["train_result"]["params"]["W1"].shape == (15, 30)


def test_the_heaviest_landscape_link_gets_the_budget_message(app_test):
    link = "hidden:64;lr:0.1;opt:gd;it:5000;batch:1;init:100;l2:0;test:0.2;split:0;strat:1;scale:standard;feat:all"
    at = app_test("app_pages/landscape.py", query_params={"land_run": link})
    assert not at.exception, at.exception
    message = " ".join(error.value for error in at.error)
    assert "too big for a shared server" in message or "too long to map" in message, message
