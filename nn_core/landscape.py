"""The real network's loss over a plane through its trained weights: L(θ* + α·δ + β·η).

A network has hundreds of weights, so its loss cannot be drawn; a 2-D slice can (Li et al. 2018,
"Visualizing the Loss Landscape of Neural Nets"). Two kinds of directions δ, η:

- ``filter_normalized_directions``: Gaussian directions in which each hidden unit's slice (its row of
  W1; the single output unit's row of W2) is rescaled to that unit's weight norm, so a step of 1 means
  "as big as the weights themselves" for every unit. Bias directions are zero (Li et al.'s default).
- ``pca_directions``: the top two principal components of the training trajectory θ_t − θ*, the plane
  in which training moved the most (axes labelled with their explained variance).

The grid is vectorized: Z1 = W1(α,β)·X + b1(α,β) is *linear* in α and β, so
Z1 = Z1* + α·(δW1·X + δb1) + β·(ηW1·X + ηb1) needs only three matrix products for the whole grid; each
grid row then costs one ReLU pass and one batched matmul with the row's W2 (see loss_on_plane).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.decomposition import PCA
from threadpoolctl import threadpool_limits

from .network import PARAM_NAMES, Params, copy_params, forward, loss, loss_per_row
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
        return "α (filter-normalized direction δ)", "β (filter-normalized direction η)"


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


def pca_directions(trajectory: np.ndarray, center: Params) -> Plane:
    """The plane of the top two principal components of θ_t − θ* (rows of ``trajectory``, flattened)."""
    differences = trajectory - flatten_params(center)
    if differences.shape[0] < 3:
        raise ValueError("PCA directions need a trajectory of at least 3 points")
    pca = PCA(n_components=2).fit(differences)
    first, second = pca.components_
    ratios = tuple(float(r) for r in pca.explained_variance_ratio_)
    return Plane(copy_params(center), unflatten_params(first, center), unflatten_params(second, center),
                 kind="pca", explained_variance=(ratios[0], ratios[1]))


def project_trajectory(trajectory: np.ndarray, plane: Plane) -> np.ndarray:
    """(α_t, β_t) of each row: the least-squares point of the plane closest to θ_t (exact for PCA's
    orthonormal directions, and correct for random directions that are not quite orthogonal)."""
    basis = np.stack([flatten_params(plane.direction_x), flatten_params(plane.direction_y)], axis=1)
    differences = (trajectory - flatten_params(plane.center)).T
    coefficients, *_ = np.linalg.lstsq(basis, differences, rcond=None)
    return coefficients.T


def record_trajectory(params: Params, X: np.ndarray, Y: np.ndarray, *, lr: float, iterations: int,
                      optimizer: str = "gd", batch_size: int | None = None,
                      seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
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
              callback=keep)
        trajectory = np.array(rows)
        losses = np.array([loss(forward(unflatten_params(row, params), X), Y) for row in trajectory])
    finite = np.isfinite(losses)
    if not finite.all():
        last = int(np.argmin(finite))  # first non-finite loss: keep everything before it
        trajectory, losses = trajectory[:last], losses[:last]
    return trajectory, losses


# Keep the per-chunk A1 buffer about this size so it stays in the CPU's cache.
_CACHE_BYTES = 1 << 20


class _PlaneTerms:
    """The pieces of the forward pass that are linear in α and β, computed once per plane."""

    def __init__(self, plane: Plane, X: np.ndarray) -> None:
        c, d, e = plane.center, plane.direction_x, plane.direction_y
        self.Z1_center = c["W1"] @ X + c["b1"]
        self.Z1_alpha = d["W1"] @ X + d["b1"]
        self.Z1_beta = e["W1"] @ X + e["b1"]
        self.W2 = (c["W2"], d["W2"], e["W2"])
        self.b2 = (float(c["b2"][0, 0]), float(d["b2"][0, 0]), float(e["b2"][0, 0]))


# Each factor 1 + e^−|z| lies in (1, 2], so a product of up to 1000 of them stays below 2^1000 < float max.
_PRODUCT_BLOCK = 1000


def _softplus_row_sums(Z: np.ndarray, work: np.ndarray) -> np.ndarray:
    """Σ over the last axis of log(1 + e^z) = Σ max(z, 0) + log Π (1 + e^−|z|), one log per row.

    The same value as summing np.logaddexp(0, z), but it takes one exp per sample and one log per grid
    point instead of a log per sample (the product's rounding error is ~m·1e-16 relative, so the mean
    loss moves by ~1e-16). ``work`` is a scratch buffer shaped like Z.
    """
    np.abs(Z, out=work)
    np.negative(work, out=work)
    np.exp(work, out=work)
    work += 1.0
    starts = np.arange(0, Z.shape[-1], _PRODUCT_BLOCK)
    products = np.multiply.reduceat(work, starts, axis=-1)
    return np.log(products).sum(axis=-1) + np.maximum(Z, 0.0).sum(axis=-1)


def loss_on_plane(plane: Plane, X: np.ndarray, Y: np.ndarray, alphas: np.ndarray, betas: np.ndarray) -> np.ndarray:
    """The loss at every grid point, shape (len(betas), len(alphas)) (row i is β = betas[i]).

    α·(δW1·X + δb1) does not depend on β, so it is computed once for all α. Each grid row then costs
    one pass for ReLU(Z1) (written as max(α-part, −β-part) + β-part into a reused buffer) and one
    batched matmul that contracts every α's W2(α, β_i) with it. The α axis is cut into chunks whose
    buffer fits in the CPU cache. The cross-entropy takes one exp per sample and one log per grid point
    (see _softplus_row_sums): on this CPU exp and log cost ~10 ns each and would otherwise dominate.
    No Python loop over grid points.
    """
    alphas = np.asarray(alphas, dtype=float).ravel()
    betas = np.asarray(betas, dtype=float).ravel()
    terms = _PlaneTerms(plane, X)
    n_h, m = terms.Z1_center.shape
    W2_c, W2_a, W2_b = terms.W2
    b2_c, b2_a, b2_b = terms.b2
    Y_row = Y.ravel()
    chunk = max(1, _CACHE_BYTES // (n_h * m * 8))
    alpha_terms = alphas[:, None, None] * terms.Z1_alpha  # (n_alpha, n_h, m), the same for every row
    buffer = np.empty((min(chunk, alphas.size), n_h, m))
    Z2 = np.empty((alphas.size, 1, m))
    work = np.empty((alphas.size, m))
    out = np.empty((betas.size, alphas.size))
    # One BLAS thread: these products are tiny (1 × n_h by n_h × m), so extra threads only wait on each
    # other; on a busy 2-core machine (Community Cloud, CI) OpenBLAS's spinning threads made it 7× slower.
    with np.errstate(over="ignore", invalid="ignore"), threadpool_limits(limits=1, user_api="blas"):
        for i, beta in enumerate(betas):
            row_base = terms.Z1_center + beta * terms.Z1_beta
            negative_row_base = -row_base
            W2_row = (W2_c + beta * W2_b) + alphas[:, None] * W2_a  # (n_alpha, n_h)
            for start in range(0, alphas.size, chunk):
                stop = min(start + chunk, alphas.size)
                # ReLU(a + b) = max(a, −b) + b: one pass instead of an add and a ReLU; the "+ b" part
                # contracts with W2 as one small matmul below.
                shifted = np.maximum(alpha_terms[start:stop], negative_row_base, out=buffer[: stop - start])
                np.matmul(W2_row[start:stop, None, :], shifted, out=Z2[start:stop])
            Z2_row = Z2[:, 0, :]
            Z2_row += W2_row @ row_base
            Z2_row += (b2_c + beta * b2_b + alphas * b2_a)[:, None]
            out[i] = (_softplus_row_sums(Z2_row, work) - Z2_row @ Y_row) / m
    return out


def loss_at_points(plane: Plane, X: np.ndarray, Y: np.ndarray, alphas: np.ndarray, betas: np.ndarray) -> np.ndarray:
    """The loss at scattered plane points (α_k, β_k): the surface height under a projected path."""
    alphas = np.asarray(alphas, dtype=float).ravel()
    betas = np.asarray(betas, dtype=float).ravel()
    terms = _PlaneTerms(plane, X)
    W2_c, W2_a, W2_b = terms.W2
    b2_c, b2_a, b2_b = terms.b2
    with np.errstate(over="ignore", invalid="ignore"):
        Z1 = terms.Z1_center + alphas[:, None, None] * terms.Z1_alpha + betas[:, None, None] * terms.Z1_beta
        A1 = np.maximum(Z1, 0.0)
        W2 = W2_c + alphas[:, None] * W2_a + betas[:, None] * W2_b
        Z2 = np.matmul(W2[:, None, :], A1)[:, 0, :] + (b2_c + alphas * b2_a + betas * b2_b)[:, None]
        return loss_per_row(Z2, Y)


def loss_on_plane_loop(plane: Plane, X: np.ndarray, Y: np.ndarray, alphas: np.ndarray, betas: np.ndarray) -> np.ndarray:
    """The reference: one nn_core.forward per grid point (slow; for tests and the benchmark)."""
    out = np.empty((len(betas), len(alphas)))
    for i, beta in enumerate(betas):
        for j, alpha in enumerate(alphas):
            out[i, j] = loss(forward(point_on_plane(plane, alpha, beta), X), Y)
    return out



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


@dataclass(frozen=True)
class LandscapeScene:
    """Everything the page draws for the real network: the grid, the loss over it, and every ball."""

    axis: np.ndarray
    Z: np.ndarray
    balls: list[BallOnPlane]
    axis_titles: tuple[str, str]
    kind: str
    requested_kind: str
    n_params: int
    m: int


def landscape_scene(start: Params, X: np.ndarray, Y: np.ndarray, balls: tuple[tuple[str, float], ...], *,
                    steps: int, directions: str = "random", resolution: int = 41, seed: int = 0,
                    batch_size: int | None = None) -> LandscapeScene:
    """Train one network per (optimizer, lr) from ``start``, choose a plane, map the loss, project the paths.

    The plane passes through θ*, the lowest-loss weights any ball reached. A ball whose loss went to
    infinity or ended above where it started counts as diverged: it is left out of the PCA fit and of the
    grid extent (so it cannot blow the picture up) and its path stops where it leaves the grid. PCA needs
    at least 3 well-behaved points; otherwise the plane falls back to random directions (``kind`` says so).
    """
    runs = []
    for optimizer, lr in balls:
        trajectory, losses = record_trajectory(start, X, Y, lr=lr, iterations=steps, optimizer=optimizer,
                                               batch_size=batch_size, seed=seed)
        diverged = len(losses) < steps + 1 or losses[-1] > losses[0]
        runs.append((optimizer, lr, trajectory, losses, diverged))
    healthy = [run for run in runs if not run[4]]
    if healthy:
        best = min(healthy, key=lambda run: run[3][-1])
        center = unflatten_params(best[2][-1], start)
        sane_rows = np.concatenate([run[2] for run in healthy])
    else:
        center = copy_params(start)
        sane_rows = np.concatenate([run[2][:2] for run in runs])
    if directions == "pca" and len(sane_rows) >= 3:
        plane = pca_directions(sane_rows, center)
    else:
        plane = filter_normalized_directions(center, seed=seed)
    extent = 1.25 * float(np.abs(project_trajectory(sane_rows, plane)).max())
    extent = max(extent, 1.0 if plane.kind == "random" else 0.1)
    axis = np.linspace(-extent, extent, resolution)
    Z = loss_on_plane(plane, X, Y, axis, axis)
    on_plane = []
    for optimizer, lr, trajectory, losses, diverged in runs:
        projection = project_trajectory(trajectory, plane)
        outside = np.flatnonzero((np.abs(projection) > extent).any(axis=1))
        stop = int(outside[0]) + 1 if diverged and outside.size else len(projection)
        shown = np.clip(projection[:stop], -extent, extent)
        on_plane.append(BallOnPlane(
            optimizer=optimizer, lr=lr, alpha=projection[:stop, 0], beta=projection[:stop, 1],
            height=loss_at_points(plane, X, Y, shown[:, 0], shown[:, 1]), losses=losses[:stop],
            diverged=diverged, left_grid=stop < len(projection)))
    return LandscapeScene(axis=axis, Z=Z, balls=on_plane, axis_titles=plane.axis_titles, kind=plane.kind,
                          requested_kind=directions, n_params=int(flatten_params(center).size), m=int(X.shape[1]))
