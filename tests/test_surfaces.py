"""Toy surfaces: analytic gradients against finite differences, vectorized values, and the minima they claim."""

import numpy as np
import pytest

from nn_core.surfaces import SURFACES, get_surface

POINTS = np.random.default_rng(0).uniform(-2.9, 2.9, size=(40, 2))


@pytest.mark.parametrize("key", list(SURFACES))
def test_gradient_matches_central_differences(key):
    surface = SURFACES[key]
    x, y = POINTS[:, 0], POINTS[:, 1]
    h = 1e-6
    numeric_x = (surface.value(x + h, y) - surface.value(x - h, y)) / (2 * h)
    numeric_y = (surface.value(x, y + h) - surface.value(x, y - h)) / (2 * h)
    d_x, d_y = surface.gradient(x, y)
    np.testing.assert_allclose(d_x, numeric_x, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(d_y, numeric_y, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("key", list(SURFACES))
def test_value_and_gradient_are_vectorized_over_a_grid(key):
    surface = SURFACES[key]
    x_axis, y_axis, Z = surface.grid(21)
    assert Z.shape == (21, 21)
    i, j = 5, 13
    assert Z[i, j] == pytest.approx(float(surface.value(x_axis[j], y_axis[i])))
    X, Y = np.meshgrid(x_axis, y_axis)
    d_x, d_y = surface.gradient(X, Y)
    assert d_x.shape == d_y.shape == (21, 21)
    assert d_x[i, j] == pytest.approx(float(surface.gradient(x_axis[j], y_axis[i])[0]))


@pytest.mark.parametrize("key", list(SURFACES))
def test_listed_minima_are_stationary_and_the_global_one_is_lowest(key):
    surface = SURFACES[key]
    for minimum in surface.minima:
        d_x, d_y = surface.gradient(minimum.x, minimum.y)
        assert np.hypot(d_x, d_y) < 1e-4
        assert float(surface.value(minimum.x, minimum.y)) == pytest.approx(minimum.value, abs=1e-5)
    _, _, Z = surface.grid(241)
    assert Z.min() >= surface.global_minimum.value - 1e-9  # nothing on the map is lower than the global minimum
    assert Z.min() == pytest.approx(surface.global_minimum.value, abs=1e-2)


def test_hills_have_one_global_and_at_least_two_local_minima():
    minima = SURFACES["hills"].minima
    assert sum(m.is_global for m in minima) == 1
    assert sum(not m.is_global for m in minima) >= 2
    global_value = SURFACES["hills"].global_minimum.value
    assert all(m.value > global_value + 0.1 for m in minima if not m.is_global)


def test_saddle_point_is_flat_but_not_a_minimum():
    surface = SURFACES["saddle"]
    assert surface.gradient(0.0, 0.0) == (0.0, 0.0)
    h = 1e-3
    assert surface.value(h, 0.0) > surface.value(0.0, 0.0) > surface.value(0.0, h)  # up in x, down in y


def test_unknown_surface_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown surface"):
        get_surface("volcano")
