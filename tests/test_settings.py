"""The settings registries: every value a widget can hold survives its own link form; bad values are named."""

from __future__ import annotations

import pytest

from lessons.settings import LANDSCAPE, SEED_RANGE, STEP_THROUGH, TRAINING, Setting

ALL = [setting for registry in (TRAINING, STEP_THROUGH, LANDSCAPE) for setting in registry.values()]


def _holdable(setting: Setting) -> list:
    """Every value the setting's widget can hold (the ends and the default for a range)."""
    if setting.kind in ("choice", "choices"):
        return list(setting.options)
    if setting.kind == "nearest":
        return list(setting.values)
    if setting.kind == "bool":
        return [True, False]
    return [setting.low, setting.default, setting.high]


@pytest.mark.parametrize("setting", [s for s in ALL if s.options or s.kind != "choices"], ids=lambda s: s.key)
def test_every_value_a_widget_can_hold_comes_back_from_its_link_form(setting):
    for value in _holdable(setting):
        text = setting.link_text([value] if setting.kind == "choices" else value)
        raws = text if isinstance(text, list) else [text]
        assert setting.parse_link(raws) == ([value] if setting.kind == "choices" else value, None), (value, raws)


def test_bound_widgets_carry_labels_and_the_landscape_carries_keys():
    assert TRAINING["train_scaling"].link_text("minmax") == "Min-max"
    assert TRAINING["train_batch_mode"].link_text("mini") == "Mini-batch"
    assert TRAINING["train_l2"].link_text(0.0) == "off" and TRAINING["train_lr"].link_text(0.0001) == "1.00e-04"
    assert STEP_THROUGH["fb_gc_method"].link_text("central") == "centred (f(x+h) − f(x−h)) / 2h"
    assert LANDSCAPE["land_surface"].link_text("valley") == "valley"
    assert LANDSCAPE["land_optimizers"].link_text(["gd", "adam"]) == ["gd", "adam"]


@pytest.mark.parametrize(("setting", "raw", "value"), [
    (TRAINING["train_scaling"], "minmax", "minmax"), (TRAINING["train_scaling"], "MIN-MAX", "minmax"),
    (TRAINING["train_optimizer"], "Adam", "adam"), (TRAINING["train_lr"], "3.01", 3.0),
    (TRAINING["train_l2"], "off", 0.0), (TRAINING["train_stratify"], "1", True), (TRAINING["train_view"], "two", "two"),
])
def test_a_link_may_carry_the_key_or_the_label(setting, raw, value):
    assert setting.parse(raw) == (value, None)


@pytest.mark.parametrize(("setting", "raws", "problem"), [
    (TRAINING["train_seed"], ["1", "2"], "expected one value"),
    (LANDSCAPE["land_seed"], ["1", "2"], "expected one value"),
    (TRAINING["train_seed"], ["10000"], "not a whole number between 0 and 9999"),
    (TRAINING["train_view"], ["<script>"], "not one of plane, two"),
    (TRAINING["train_lr"], ["0.5"], "not one of the values 0.0001 … 10"),
    (TRAINING["train_test_size"], ["0.05"], "not a number between 0.1 and 0.5"),
])
def test_what_a_link_check_refuses_is_named(setting, raws, problem):
    assert setting.parse_link(raws) == (None, problem)


def test_every_seed_has_the_one_seed_range():
    seeds = [s for s in ALL if "seed" in s.key]
    assert len(seeds) == 4 and {(s.low, s.high) for s in seeds} == {SEED_RANGE}


def test_a_run_link_field_is_a_training_setting():
    assert {short: s.key for short, s in TRAINING.by_short().items()} == {
        "test": "train_test_size", "strat": "train_stratify", "scale": "train_scaling", "split": "train_split_seed",
        "hidden": "train_hidden", "lr": "train_lr", "opt": "train_optimizer", "init": "train_seed", "l2": "train_l2"}


def test_every_preset_value_is_one_the_training_widgets_can_hold():
    """apply_preset writes a preset into the widgets: a value off a select slider's stops would break it."""
    from lessons.presets import PRESETS

    fields = {"hidden": "train_hidden", "lr": "train_lr", "optimizer": "train_optimizer", "iterations":
              "train_iterations", "l2": "train_l2", "test_size": "train_test_size", "scaling": "train_scaling",
              "split_seed": "train_split_seed", "init_seed": "train_seed"}
    for preset in PRESETS.values():
        for field, key in fields.items():
            value = getattr(preset, field)
            assert TRAINING[key].parse(TRAINING[key].link_text(value)) == (value, None), (preset.label, field)
        assert 0 <= (preset.patience or 0) * preset.eval_every <= TRAINING["train_patience"].high
