"""The real network's loss over a plane through its trained weights: L(θ* + α·δ + β·η).

A network has hundreds of weights, so its loss cannot be drawn; a 2-D slice can (Li et al. 2018,
"Visualizing the Loss Landscape of Neural Nets"). Two kinds of directions δ, η:

- ``filter_normalized_directions``: Gaussian directions in which each hidden unit's slice (its row of
  W1; the single output unit's row of W2) is rescaled to that unit's weight norm, so a step of 1 means
  "as big as the weights themselves" for every unit. Bias directions are zero (Li et al.'s default).
- ``pca_directions``: the top two principal components of the training trajectory θ_t − θ*, the plane
  in which training moved the most (axes labelled with their explained variance). With several balls,
  ``paths_pca_directions`` counts each ball's movement equally (each scaled to the same length): pooled,
  the ball that travelled farthest would own the plane, and a ball 15× shorter would be a dot on it.

The map is the smallest square that holds every calm ball's path and θ* (``plane_window``), not a window
centred on θ*: the longest path fills most of it, and a path k× shorter is drawn k× shorter, never hidden.

One evaluator, ``loss_on_plane``, gives the grid and the heights under the balls (``loss_at_points``):
Z1 = W1(α,β)·X + b1(α,β) is *linear* in α and β, so three matrix products serve every point; each row
of the plane then costs one ReLU pass and one batched matmul (bench/landscape_speed.py holds the
per-point loop it is checked and timed against). A ball "diverged" by nn_core.divergence's rule.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.decomposition import PCA

from .divergence import loss_exploded
from .network import PARAM_NAMES, Params, copy_params, forward, loss
from .training import train


@dataclass(frozen=True)
class Plane:
    """θ* and two directions; ``axis_titles`` say what α and β mean (with PCA's explained variance)."""

    center: Params
    direction_x: Params
    direction_y: Params
    kind: str
    explained_variance: tuple[float, float] | None = None

    @property
    def axis_titles(self) -> tuple[str, str]:
        if self.explained_variance is not None:
            first, second = self.explained_variance
            return f"α: 1st PC ({100 * first:.1f} % of variance)", f"β: 2nd PC ({100 * second:.1f} % of variance)"
        return "α (filter-normalized δ)", "β (filter-normalized η)"


def flatten_params(params: Params) -> np.ndarray:
    """W1, b1, W2, b2 as one vector (the order of PARAM_NAMES), so trajectories are rows of a matrix."""
    return np.concatenate([np.ravel(params[name]) for name in PARAM_NAMES])


def unflatten_params(vector: np.ndarray, like: Params) -> Params:
    """Inverse of flatten_params, with the shapes of ``like``."""
    out, start = {}, 0
    for name in PARAM_NAMES:
        size = like[name].size
        out[name] = np.array(vector[start:start + size], dtype=float).reshape(like[name].shape)
        start += size
    return out


def point_on_plane(plane: Plane, alpha: float, beta: float) -> Params:
    """θ* + α·δ + β·η as a parameter dict (what the per-point reference loop evaluates)."""
    return {name: plane.center[name] + alpha * plane.direction_x[name] + beta * plane.direction_y[name]
            for name in PARAM_NAMES}


def filter_normalized_direction(params: Params, rng: np.random.Generator) -> Params:
    """One Gaussian direction, each hidden unit's row of W1 (and W2's single output row) scaled to
    the norm of that unit's weights; biases get a zero direction."""
    direction = {}
    for name in ("W1", "W2"):
        raw = rng.standard_normal(params[name].shape)
        row_norms = np.linalg.norm(raw, axis=1, keepdims=True)
        weight_norms = np.linalg.norm(params[name], axis=1, keepdims=True)
        direction[name] = raw * (weight_norms / np.where(row_norms > 0, row_norms, 1.0))
    direction["b1"] = np.zeros_like(params["b1"])
    direction["b2"] = np.zeros_like(params["b2"])
    return direction


def filter_normalized_directions(params: Params, seed: int = 0) -> Plane:
    """The random plane of Li et al.: two independent filter-normalized directions around ``params``."""
    rng = np.random.default_rng(seed)
    return Plane(copy_params(params), filter_normalized_direction(params, rng),
                 filter_normalized_direction(params, rng), kind="random")


def _pca_plane(rows: np.ndarray, center: Params) -> Plane:
    """The plane through ``center`` along the top two principal components of ``rows`` (flattened θ's)."""
    if rows.shape[0] < 3:
        raise ValueError("PCA directions need a trajectory of at least 3 points")
    pca = PCA(n_components=2).fit(rows)
    first, second = pca.components_
    ratios = tuple(float(r) for r in pca.explained_variance_ratio_)
    return Plane(copy_params(center), unflatten_params(first, center), unflatten_params(second, center),
                 kind="pca", explained_variance=(ratios[0], ratios[1]))


def pca_directions(trajectory: np.ndarray, center: Params) -> Plane:
    """The plane of the top two principal components of θ_t − θ* (rows of ``trajectory``, flattened)."""
    return _pca_plane(trajectory - flatten_params(center), center)


def paths_pca_directions(trajectories: list[np.ndarray], center: Params) -> Plane:
    """The plane that holds as much as possible of *every* ball's movement: PCA of each trajectory's steps away
    from its own start (θ_t − θ_0), each scaled by the farthest it got, so every ball counts the same however
    far it went. For a single trajectory this is ``pca_directions`` (PCA ignores a shift and a scale)."""
    moves = []
    for trajectory in trajectories:
        steps = trajectory - trajectory[0]
        reach = float(np.linalg.norm(steps, axis=1).max()) if len(steps) else 0.0
        moves.append(steps / reach if reach > 0 else steps)
    return _pca_plane(np.concatenate(moves), center)


def project_trajectory(trajectory: np.ndarray, plane: Plane) -> np.ndarray:
    """(α_t, β_t) of each row: the least-squares point of the plane closest to θ_t (exact for PCA's
    orthonormal directions, and correct for random directions that are not quite orthogonal)."""
    basis = np.stack([flatten_params(plane.direction_x), flatten_params(plane.direction_y)], axis=1)
    differences = (trajectory - flatten_params(plane.center)).T
    coefficients, *_ = np.linalg.lstsq(basis, differences, rcond=None)
    return coefficients.T


def record_trajectory(params: Params, X: np.ndarray, Y: np.ndarray, *, lr: float, iterations: int,
                      optimizer: str = "gd", batch_size: int | None = None,
                      seed: int = 0, l2: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Train with nn_core.training.train and keep θ after every update.

    Returns (trajectory (k + 1, n_params) starting with the initial θ, loss at each of those points).
    The loss is always on the whole of X, even with mini-batches, so it is the height of the real landscape.
    Rows stop at the last finite θ: a diverging run ends where its weights stop being numbers.
    """
    rows = [flatten_params(params)]

    def keep(step: int, current: Params, _loss: float) -> bool:
        row = flatten_params(current)
        if not np.isfinite(row).all():
            return True
        rows.append(row)
        return False

    with np.errstate(over="ignore", invalid="ignore"):
        train(params, X, Y, lr=lr, iterations=iterations, optimizer=optimizer, batch_size=batch_size, seed=seed,
              l2=l2, callback=keep)
        trajectory = np.array(rows)
        losses = np.array([loss(forward(unflatten_params(row, params), X), Y) for row in trajectory])
    finite = np.isfinite(losses)
    if not finite.all():
        last = int(np.argmin(finite))  # first non-finite loss: keep everything before it
        trajectory, losses = trajectory[:last], losses[:last]
    return trajectory, losses


# Keep each chunk's ReLU buffer about this size so it stays in the CPU's cache.
_CACHE_BYTES = 1 << 20
# Each factor 1 + e^−|z| lies in (1, 2], so a product of up to 1000 of them stays below 2^1000 < float max.
_PRODUCT_BLOCK = 1000


def mean_cross_entropy_rows(Z2: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """nn_core.network.loss_per_row, with one exp per sample and one log per row instead of a log per sample.

    log(1 + e^z) = max(z, 0) + log(1 + e^−|z|), and a sum of logs is the log of a product. On a 101 × 101
    grid that is 4.6 million logs fewer, about half the evaluator's time. The product's rounding
    (~m·1e-16 relative) moves the mean loss by ~1e-16; the tests hold it to the core's loss at 1e-10.
    """
    factors = np.exp(-np.abs(Z2))
    factors += 1.0
    products = np.multiply.reduceat(factors, np.arange(0, Z2.shape[-1], _PRODUCT_BLOCK), axis=-1)
    softplus_sums = np.log(products).sum(axis=-1) + np.maximum(Z2, 0.0).sum(axis=-1)
    return (softplus_sums - Z2 @ Y.ravel()) / Z2.shape[-1]


def loss_on_plane(plane: Plane, X: np.ndarray, Y: np.ndarray, alphas: np.ndarray, betas: np.ndarray) -> np.ndarray:
    """The loss at θ* + α·δ + β·η, row by row: the one evaluator behind the grid and the ball heights.

    Row i has β = betas[i]; its α values are ``alphas`` (1-D: the same for every row, a grid of shape
    (len(betas), len(alphas))) or ``alphas[i]`` (2-D: one row each, e.g. a path as (k, 1) against k betas).

    Why it is fast: Z1 = W1(α, β)·X + b1(α, β) is linear in α and β, so Z1 = B_β + α·A with
    B_β = Z1* + β·Z1_η and A = Z1_δ from three matrix products. ReLU(α·A + B) = max(α·A, −B) + B, so a
    row costs one max pass over its points (the α·A terms are shared by every row of a grid) and one
    batched matmul with each point's W2(α, β); the "+ B" part is one small matmul per row. Python loops
    over rows and cache-sized chunks of a row, never over single points. Run it on one BLAS thread (the app's
    process_setup sets that once per process): the products are tiny, and on a busy 2-core machine OpenBLAS's
    spinning threads made it 7× slower.
    """
    betas = np.asarray(betas, dtype=float).ravel()
    alphas = np.asarray(alphas, dtype=float)
    shared = alphas.ndim == 1
    alpha_rows = np.broadcast_to(alphas, (betas.size, alphas.shape[-1]))
    center, along, across = plane.center, plane.direction_x, plane.direction_y
    Z1_center, Z1_along, Z1_across = (d["W1"] @ X + d["b1"] for d in (center, along, across))
    W2_c, W2_a, W2_b = (d["W2"][0] for d in (center, along, across))
    b2_c, b2_a, b2_b = (float(d["b2"][0, 0]) for d in (center, along, across))
    alpha_terms = alphas[:, None, None] * Z1_along if shared else None  # (n_α, n_h, m), reused by every row
    n_alpha = alpha_rows.shape[1]
    chunk = max(1, _CACHE_BYTES // (Z1_center.size * 8))  # points whose ReLU buffer stays in the CPU cache
    shifted = np.empty((min(chunk, n_alpha), *Z1_center.shape))  # reused: no allocation per row
    Z2 = np.empty((n_alpha, 1, Z1_center.shape[1]))
    out = np.empty(alpha_rows.shape)
    with np.errstate(over="ignore", invalid="ignore"):
        for i, (beta, row_alphas) in enumerate(zip(betas, alpha_rows, strict=True)):
            base = Z1_center + beta * Z1_across
            terms = alpha_terms if shared else row_alphas[:, None, None] * Z1_along
            W2 = (W2_c + beta * W2_b) + row_alphas[:, None] * W2_a  # (n_α, n_h)
            for start in range(0, n_alpha, chunk):
                part = slice(start, min(start + chunk, n_alpha))
                relu_minus_base = np.maximum(terms[part], -base, out=shifted[: part.stop - start])
                np.matmul(W2[part, None, :], relu_minus_base, out=Z2[part])
            logits = Z2[:, 0, :]
            logits += W2 @ base
            logits += (b2_c + beta * b2_b + row_alphas * b2_a)[:, None]
            out[i] = mean_cross_entropy_rows(logits, Y)
    return out


def loss_at_points(plane: Plane, X: np.ndarray, Y: np.ndarray, alphas: np.ndarray, betas: np.ndarray) -> np.ndarray:
    """The loss at scattered plane points (α_k, β_k), e.g. the surface height under a projected path."""
    alphas = np.asarray(alphas, dtype=float).ravel()
    return loss_on_plane(plane, X, Y, alphas[:, None], betas)[:, 0]


@dataclass(frozen=True)
class TrainingRun:
    """One ball's training in full dimension: θ after every update (rows) and the full-set loss there."""

    optimizer: str
    lr: float
    trajectory: np.ndarray
    losses: np.ndarray
    diverged: bool


@dataclass(frozen=True)
class BallOnPlane:
    """One training run seen on the slice: its shadow (α_t, β_t), the surface height there, the real loss."""

    optimizer: str
    lr: float
    alpha: np.ndarray
    beta: np.ndarray
    height: np.ndarray
    losses: np.ndarray
    diverged: bool
    left_grid: bool
    travelled: float  # ‖θ_end − θ_0‖ in all the weights (the slice shows its shadow)

    @property
    def steps_taken(self) -> int:
        return len(self.losses) - 1


@dataclass(frozen=True)
class LandscapeScene:
    """Everything the page draws for the real network: the grid, the loss over it, and every ball.

    ``Z[i, j]`` is the loss at (alpha_axis[j], beta_axis[i]); both axes have the same span (a square map: a
    distance reads the same along α and β)."""

    alpha_axis: np.ndarray
    beta_axis: np.ndarray
    Z: np.ndarray
    balls: list[BallOnPlane]
    axis_titles: tuple[str, str]
    kind: str
    requested_kind: str
    n_params: int
    m: int

    @property
    def height_cap(self) -> float:
        """Where the drawing cuts the surface flat: 1.5× the highest point the calm balls reached (at least 2),
        so a few huge corner values do not flatten the valley the balls roll in."""
        calm = [ball for ball in self.balls if not ball.diverged]
        seen = [float(np.max(np.concatenate([b.height, b.losses]))) for b in calm] or [float(self.balls[0].losses[0])]
        return max(2.0, 1.5 * max(seen))

    @property
    def largest_gap(self) -> float | None:
        """The largest |real loss − surface height| along the calm balls' paths (None if every ball diverged)."""
        gaps = [float(np.max(np.abs(b.losses - b.height))) for b in self.balls if not b.diverged]
        return max(gaps) if gaps else None


def train_ball(start: Params, X: np.ndarray, Y: np.ndarray, optimizer: str, lr: float, *, steps: int,
               batch_size: int | None = None, seed: int = 0, l2: float = 0.0) -> TrainingRun:
    """Train one ball; it diverged if its weights stopped being numbers or its loss exploded
    (nn_core.divergence.loss_exploded, the rule the training page uses too)."""
    trajectory, losses = record_trajectory(start, X, Y, lr=lr, iterations=steps, optimizer=optimizer,
                                           batch_size=batch_size, seed=seed, l2=l2)
    diverged = len(losses) < steps + 1 or loss_exploded(float(losses.max()), float(losses[0]))
    return TrainingRun(optimizer, lr, trajectory, losses, diverged)


def choose_plane(runs: list[TrainingRun], start: Params, directions: str, seed: int) -> tuple[Plane, np.ndarray]:
    """The plane through θ* (the lowest final loss of the balls that did not diverge) and the θ rows that
    fix its extent. Diverged runs are left out so they cannot blow the picture up; PCA needs at least 3
    well-behaved points, otherwise the plane falls back to random directions (``Plane.kind`` says so)."""
    healthy = [run for run in runs if not run.diverged]
    if healthy:
        best = min(healthy, key=lambda run: run.losses[-1])
        center = unflatten_params(best.trajectory[-1], start)
        sane_rows = np.concatenate([run.trajectory for run in healthy])
    else:
        center = copy_params(start)
        sane_rows = np.concatenate([run.trajectory[:2] for run in runs])
    if directions == "pca" and len(sane_rows) >= 3:
        trajectories = [run.trajectory for run in healthy] or [sane_rows]
        return paths_pca_directions(trajectories, center), sane_rows
    return filter_normalized_directions(center, seed=seed), sane_rows


# Room around the paths on the PCA map, as a share of their extent on each side (the balls never touch the edge).
PATH_MARGIN = 0.1
MIN_PCA_SIDE = 0.2  # a map for paths that barely moved: still a neighbourhood of θ*, not a point
RANDOM_EXTENT = 1.0  # random directions: at least ±1, one step "as big as the weights" (Li et al.'s window)


def plane_window(projected: np.ndarray, kind: str) -> tuple[tuple[float, float], tuple[float, float]]:
    """The (α, β) ranges of the map, a square (the same span along both, so distances are comparable).

    PCA: the smallest square around the calm paths' points (``projected``, (k, 2)) and θ* at (0, 0), plus
    PATH_MARGIN of room: the longest path fills most of it. Random directions: centred on θ*, ±1.25× the
    farthest point and at least ±RANDOM_EXTENT (the paths' shadows on a random plane are short; the window
    shows the landscape around θ* at the scale of the weights)."""
    points = np.vstack([projected, np.zeros((1, 2))])
    if kind != "pca":
        extent = max(1.25 * float(np.abs(points).max()), RANDOM_EXTENT)
        return (-extent, extent), (-extent, extent)
    low, high = points.min(axis=0), points.max(axis=0)
    side = max(float((high - low).max()) * (1 + 2 * PATH_MARGIN), MIN_PCA_SIDE)
    middle = (low + high) / 2
    return ((float(middle[0] - side / 2), float(middle[0] + side / 2)),
            (float(middle[1] - side / 2), float(middle[1] + side / 2)))


def ball_on_plane(run: TrainingRun, plane: Plane, window: tuple[tuple[float, float], tuple[float, float]],
                  X: np.ndarray, Y: np.ndarray) -> BallOnPlane:
    """A run's shadow on the plane; a diverged run's path stops at the first point outside the map."""
    projection = project_trajectory(run.trajectory, plane)
    low = np.array([window[0][0], window[1][0]])
    high = np.array([window[0][1], window[1][1]])
    outside = np.flatnonzero(((projection < low) | (projection > high)).any(axis=1))
    stop = int(outside[0]) + 1 if run.diverged and outside.size else len(projection)
    shown = np.clip(projection[:stop], low, high)
    return BallOnPlane(optimizer=run.optimizer, lr=run.lr, alpha=projection[:stop, 0], beta=projection[:stop, 1],
                       height=loss_at_points(plane, X, Y, shown[:, 0], shown[:, 1]), losses=run.losses[:stop],
                       diverged=run.diverged, left_grid=stop < len(projection),
                       travelled=float(np.linalg.norm(run.trajectory[-1] - run.trajectory[0])))


def landscape_scene(start: Params, X: np.ndarray, Y: np.ndarray, balls: tuple[tuple[str, float], ...], *,
                    steps: int, directions: str = "random", resolution: int = 41, seed: int = 0,
                    batch_size: int | None = None, l2: float = 0.0) -> LandscapeScene:
    """Train one network per (optimizer, lr) from ``start``, choose a plane, map the loss, project the paths.

    ``l2`` trains with weight decay (a run opened from the training page); the map stays the cross-entropy.
    """
    runs = [train_ball(start, X, Y, optimizer, lr, steps=steps, batch_size=batch_size, seed=seed, l2=l2)
            for optimizer, lr in balls]
    plane, sane_rows = choose_plane(runs, start, directions, seed)
    window = plane_window(project_trajectory(sane_rows, plane), plane.kind)
    alpha_axis, beta_axis = (np.linspace(low, high, resolution) for low, high in window)
    return LandscapeScene(alpha_axis=alpha_axis, beta_axis=beta_axis,
                          Z=loss_on_plane(plane, X, Y, alpha_axis, beta_axis),
                          balls=[ball_on_plane(run, plane, window, X, Y) for run in runs],
                          axis_titles=plane.axis_titles, kind=plane.kind, requested_kind=directions,
                          n_params=int(flatten_params(plane.center).size), m=int(X.shape[1]))
