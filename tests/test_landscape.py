"""The real network's landscape: the vectorized grid equals one forward per point, directions are what
Li et al. describe, PCA explains the trajectory, and projections land where they should."""

import numpy as np
import pytest

from bench.landscape_speed import loss_on_plane_loop
from nn_core import load_cancer, split_and_scale
from nn_core.divergence import loss_exploded
from nn_core.landscape import (
    filter_normalized_directions,
    flatten_params,
    landscape_scene,
    loss_at_points,
    loss_on_plane,
    mean_cross_entropy_rows,
    paths_pca_directions,
    pca_directions,
    plane_window,
    point_on_plane,
    project_trajectory,
    record_trajectory,
    unflatten_params,
)
from nn_core.network import forward, init_params, loss, loss_per_row
from nn_core.training import train


@pytest.fixture(scope="module")
def data():
    split = split_and_scale(load_cancer(), test_size=0.2, seed=0)
    return split.X_train, split.Y_train


@pytest.fixture(scope="module")
def trained(data):
    X, Y = data
    start = init_params(X.shape[0], 6, seed=1)
    trajectory, losses = record_trajectory(start, X, Y, lr=0.5, iterations=40)
    return start, trajectory, losses, unflatten_params(trajectory[-1], start)


def test_record_trajectory_matches_train(data, trained):
    X, Y = data
    start, trajectory, losses, center = trained
    assert trajectory.shape == (41, flatten_params(start).size)
    np.testing.assert_array_equal(trajectory[0], flatten_params(start))
    end, train_losses = train(start, X, Y, lr=0.5, iterations=40)
    np.testing.assert_allclose(losses[:-1], train_losses, rtol=1e-12)
    np.testing.assert_allclose(trajectory[-1], flatten_params(end))


def test_mini_batch_trajectory_follows_train_but_records_the_whole_set_loss(data):
    X, Y = data
    start = init_params(X.shape[0], 6, seed=1)
    trajectory, losses = record_trajectory(start, X, Y, lr=0.5, iterations=10, batch_size=16, seed=3)
    end, _ = train(start, X, Y, lr=0.5, iterations=10, batch_size=16, seed=3)
    np.testing.assert_allclose(trajectory[-1], flatten_params(end))
    assert losses[-1] == pytest.approx(loss(forward(end, X), Y))


def test_diverging_training_keeps_only_finite_weights(data):
    X, Y = data
    trajectory, losses = record_trajectory(init_params(X.shape[0], 6, seed=1), X, Y, lr=100.0, iterations=200)
    assert np.isfinite(trajectory).all() and np.isfinite(losses).all()
    assert len(trajectory) == len(losses) < 201


@pytest.mark.parametrize("kind", ["random", "pca"])
def test_vectorized_grid_equals_the_per_point_loop(data, trained, kind):
    X, Y = data
    _, trajectory, _, center = trained
    plane = filter_normalized_directions(center, seed=2) if kind == "random" else pca_directions(trajectory, center)
    alphas, betas = np.linspace(-1.5, 1.2, 9), np.linspace(-0.8, 1.0, 7)  # not square: rows are betas
    fast = loss_on_plane(plane, X, Y, alphas, betas)
    slow = loss_on_plane_loop(plane, X, Y, alphas, betas)
    assert fast.shape == (7, 9)
    np.testing.assert_allclose(fast, slow, rtol=0, atol=1e-10)
    scattered = loss_at_points(plane, X, Y, alphas[:7], betas)
    np.testing.assert_allclose(scattered, [slow[i, i] for i in range(7)], rtol=0, atol=1e-10)


def test_large_grid_row_and_per_row_alphas_still_match(data, trained):
    X, Y = data
    center = trained[3]
    plane = filter_normalized_directions(center, seed=0)
    alphas = np.linspace(-1, 1, 45)  # a long row
    fast = loss_on_plane(plane, X, Y, alphas, np.array([0.3]))
    np.testing.assert_allclose(fast, loss_on_plane_loop(plane, X, Y, alphas, [0.3]), rtol=0, atol=1e-10)
    per_row = loss_on_plane(plane, X, Y, np.stack([alphas[:3], alphas[-3:]]), np.array([0.3, -0.2]))
    np.testing.assert_allclose(per_row[1], loss_on_plane_loop(plane, X, Y, alphas[-3:], [-0.2])[0], atol=1e-10)


def test_fast_cross_entropy_equals_the_cores_row_loss():
    rng = np.random.default_rng(4)
    Z2 = rng.standard_normal((6, 2300)) * np.array([[0.1], [1], [10], [40], [300], [800]])
    Y = (rng.random((1, 2300)) > 0.4).astype(float)
    np.testing.assert_allclose(mean_cross_entropy_rows(Z2, Y), loss_per_row(Z2, Y), rtol=1e-12, atol=1e-12)


def test_centre_of_the_plane_is_the_trained_network(data, trained):
    X, Y = data
    center = trained[3]
    plane = filter_normalized_directions(center, seed=0)
    assert loss_on_plane(plane, X, Y, [0.0], [0.0])[0, 0] == pytest.approx(loss(forward(center, X), Y), abs=1e-12)


def test_filter_normalization_scales_each_unit_to_its_weight_norm(trained):
    center = trained[3]
    plane = filter_normalized_directions(center, seed=5)
    for direction in (plane.direction_x, plane.direction_y):
        np.testing.assert_allclose(np.linalg.norm(direction["W1"], axis=1), np.linalg.norm(center["W1"], axis=1))
        np.testing.assert_allclose(np.linalg.norm(direction["W2"], axis=1), np.linalg.norm(center["W2"], axis=1))
        assert not direction["b1"].any() and not direction["b2"].any()
    assert not np.allclose(plane.direction_x["W1"], plane.direction_y["W1"])
    again = filter_normalized_directions(center, seed=5)
    np.testing.assert_array_equal(again.direction_x["W1"], plane.direction_x["W1"])


def test_pca_directions_explain_the_trajectory(trained):
    _, trajectory, _, center = trained
    plane = pca_directions(trajectory, center)
    first, second = plane.explained_variance
    differences = trajectory - flatten_params(center)
    singular = np.linalg.svd(differences - differences.mean(axis=0), compute_uv=False)
    ratios = singular**2 / (singular**2).sum()
    assert (first, second) == pytest.approx(tuple(ratios[:2]), rel=1e-8)
    assert 0 < second <= first <= 1 and first + second <= 1 + 1e-12
    basis = np.stack([flatten_params(plane.direction_x), flatten_params(plane.direction_y)])
    np.testing.assert_allclose(basis @ basis.T, np.eye(2), atol=1e-10)
    assert "1st PC" in plane.axis_titles[0] and "%" in plane.axis_titles[0]


def test_pca_of_a_straight_path_puts_all_variance_on_the_first_component(trained):
    start, _, _, center = trained
    direction = np.random.default_rng(0).standard_normal(flatten_params(center).size)
    line = flatten_params(center) + np.linspace(-1, 1, 20)[:, None] * direction
    assert pca_directions(line, center).explained_variance[0] == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("kind", ["random", "pca"])
def test_projection_recovers_points_of_the_plane(trained, kind):
    _, trajectory, _, center = trained
    plane = filter_normalized_directions(center, seed=1) if kind == "random" else pca_directions(trajectory, center)
    coordinates = np.array([[0.0, 0.0], [0.3, -0.2], [-1.0, 0.7]])
    rows = np.stack([flatten_params(point_on_plane(plane, a, b)) for a, b in coordinates])
    np.testing.assert_allclose(project_trajectory(rows, plane), coordinates, atol=1e-10)
    assert project_trajectory(trajectory, plane)[-1] == pytest.approx([0.0, 0.0], abs=1e-12)


@pytest.mark.parametrize("directions", ["random", "pca"])
def test_landscape_scene_keeps_a_diverging_ball_finite_and_centres_on_the_best(data, directions):
    X, Y = data
    start = init_params(X.shape[0], 6, seed=1)
    scene = landscape_scene(start, X, Y, (("gd", 0.5), ("gd", 100.0)), steps=30, directions=directions,
                            resolution=11, seed=0)
    calm, wild = scene.balls
    assert not calm.diverged and wild.diverged
    assert wild.steps_taken < 30 or loss_exploded(float(wild.losses.max()), float(wild.losses[0]))
    assert scene.kind == directions and scene.Z.shape == (11, 11) and np.isfinite(scene.Z).all()
    for ball in scene.balls:
        assert np.isfinite(ball.height).all() and np.isfinite(ball.losses).all()
        assert len(ball.alpha) == len(ball.beta) == len(ball.height) == len(ball.losses)
    assert (calm.alpha[-1], calm.beta[-1]) == pytest.approx((0.0, 0.0), abs=1e-9)  # θ* is the calm ball's end
    assert calm.height[-1] == pytest.approx(calm.losses[-1], abs=1e-12)  # on the plane, height = real loss
    for axis, shadow in ((scene.alpha_axis, calm.alpha), (scene.beta_axis, calm.beta)):
        assert axis[0] <= shadow.min() and shadow.max() <= axis[-1]  # the calm path lies on the map
    assert np.ptp(scene.alpha_axis) == pytest.approx(np.ptp(scene.beta_axis))  # a square map


def test_many_samples_use_several_product_blocks_and_still_match_the_loop():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((3, 2500))  # m > 1000: the softplus product is taken in blocks
    Y = (X[0:1] + 0.3 * rng.standard_normal((1, 2500)) > 0).astype(float)
    center = init_params(3, 4, seed=2)
    center["W2"] *= 8.0  # large logits, where log(1 + e^-|z|) is tiny and easy to get wrong
    plane = filter_normalized_directions(center, seed=3)
    axis = np.linspace(-2, 2, 5)
    np.testing.assert_allclose(loss_on_plane(plane, X, Y, axis, axis), loss_on_plane_loop(plane, X, Y, axis, axis),
                               rtol=0, atol=1e-10)


def test_paths_pca_of_one_path_is_the_pca_of_that_path(trained):
    _, trajectory, _, center = trained
    pooled, own = pca_directions(trajectory, center), paths_pca_directions([trajectory], center)
    assert own.explained_variance == pytest.approx(pooled.explained_variance, rel=1e-8)
    for a, b in ((own.direction_x, pooled.direction_x), (own.direction_y, pooled.direction_y)):
        cosine = flatten_params(a) @ flatten_params(b)
        assert abs(cosine) == pytest.approx(1.0, abs=1e-8)  # the same direction (PCA may flip its sign)


def test_paths_pca_counts_a_short_path_as_much_as_a_long_one(trained):
    """A ball that went 20 along e1 and one that went 1 along e2: pooled PCA keeps e1 and hardly sees e2; each
    path scaled to the same length, both lie in the plane."""
    center = trained[3]
    size = flatten_params(center).size
    e1, e2, e3 = np.eye(size)[:3]
    start = flatten_params(center) - 20 * e1
    rng = np.random.default_rng(0)
    t = np.linspace(0, 1, 30)[:, None]
    long_path = start + 20 * t * e1 + 2.0 * np.sin(7 * t) * e3  # wiggles off its line by more than the short path
    short_path = start + 1 * t * e2
    plane = paths_pca_directions([long_path, short_path + 1e-9 * rng.standard_normal(short_path.shape)], center)
    basis = np.stack([flatten_params(plane.direction_x), flatten_params(plane.direction_y)])
    for direction in (e1, e2):
        assert np.linalg.norm(basis @ direction) > 0.95  # both movements lie (almost) in the plane
    pooled = pca_directions(np.concatenate([long_path, short_path]), center)
    pooled_basis = np.stack([flatten_params(pooled.direction_x), flatten_params(pooled.direction_y)])
    assert np.linalg.norm(pooled_basis @ e2) < 0.5  # what the pooled plane did: the short path off the map


def test_plane_window_is_the_smallest_square_around_the_paths_and_theta_star():
    points = np.array([[-4.0, 0.5], [-3.0, 1.0], [-0.5, 0.2]])  # θ* (0, 0) is outside their box
    (a_low, a_high), (b_low, b_high) = plane_window(points, "pca")
    assert a_high - a_low == pytest.approx(b_high - b_low)  # square
    assert a_high - a_low == pytest.approx(4.0 * 1.2)  # the widest extent (α: −4 … 0) plus 10 % on each side
    assert a_low < -4.0 and a_high > 0.0 and b_low < 0.0 and b_high > 1.0  # every point and θ* inside, not on the edge
    assert (a_low + a_high) / 2 == pytest.approx(-2.0) and (b_low + b_high) / 2 == pytest.approx(0.5)
    (r_low, r_high), (s_low, s_high) = plane_window(points * 0.01, "random")
    assert (r_low, r_high) == (s_low, s_high) == (-1.0, 1.0)  # random directions: ±1 at least, centred on θ*
