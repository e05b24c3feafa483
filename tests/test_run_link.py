"""One run, three views: the training page's run travels to the landscape in one checked link value."""

from __future__ import annotations

import numpy as np
import pytest

from lessons.run_link import RunSpec, encode_run, parse_run
from nn_core.data import load_cancer, split_and_scale
from nn_core.landscape import landscape_scene
from nn_core.network import init_params
from nn_core.training import train

SPEC = RunSpec(hidden=15, lr=0.1, optimizer="adam", iterations=120, batch_size=32, init_seed=1, l2=0.3,
               test_size=0.2, split_seed=2, stratify=True, scaling="minmax", features=(0, 7, 27))


def test_round_trip():
    assert parse_run(encode_run(SPEC)) == (SPEC, None)
    full = RunSpec(**{**SPEC.__dict__, "batch_size": None, "features": None})
    assert parse_run(encode_run(full)) == (full, None)


@pytest.mark.parametrize("raw", [
    "", "hidden:15", encode_run(SPEC).replace("hidden:15", "hidden:inf"),
    encode_run(SPEC).replace("lr:0.1", "lr:nan"), encode_run(SPEC).replace("it:120", "it:1e9"),
    encode_run(SPEC).replace("opt:adam", "opt:<b>x</b>"), encode_run(SPEC).replace("feat:0,7,27", "feat:0,0"),
    encode_run(SPEC).replace("feat:0,7,27", "feat:31"), encode_run(SPEC) + ";extra:1",
    encode_run(SPEC).replace("scale:minmax", "scale:[x](http://e.vil)"), "hidden:15;hidden:16",
])
def test_hostile_values_are_refused_with_a_reason(raw):
    spec, problem = parse_run(raw)
    assert spec is None and problem


def test_the_landscape_retrains_exactly_the_training_pages_run():
    """Same split, start, batches and weight decay: the ball's last loss is the training page's final loss."""
    split = split_and_scale(load_cancer(), test_size=SPEC.test_size, seed=SPEC.split_seed, stratify=SPEC.stratify,
                            scaling=SPEC.scaling, features=list(SPEC.features))
    start = init_params(3, SPEC.hidden, seed=SPEC.init_seed)
    trained, _ = train(start, split.X_train, split.Y_train, lr=SPEC.lr, iterations=SPEC.iterations,
                       batch_size=SPEC.batch_size, optimizer=SPEC.optimizer, seed=SPEC.init_seed, l2=SPEC.l2)
    scene = landscape_scene(start, split.X_train, split.Y_train, ((SPEC.optimizer, SPEC.lr),), steps=SPEC.iterations,
                            directions="pca", resolution=11, seed=SPEC.init_seed, batch_size=SPEC.batch_size,
                            l2=SPEC.l2)
    from nn_core.network import forward, loss
    final = loss(forward(trained, split.X_train), split.Y_train)
    assert scene.balls[0].losses[-1] == pytest.approx(final, rel=1e-9)
    assert scene.kind == "pca" and np.isfinite(scene.Z).all()
