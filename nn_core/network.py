"""The article's 2-layer network (``dlnet``) as pure functions, in the article's notation.

X is (n_x, m) with one column per sample; Y and Yh are (1, m). Everything here is numerically
stable: the article's literal ``nloss`` and ``dLoss_Yh`` divide by Yh and 1 - Yh and turn into
nan/inf once the sigmoid saturates, so we work from the logits Z2 instead.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

Params = dict[str, np.ndarray]
Cache = dict[str, np.ndarray]

PARAM_NAMES: tuple[str, ...] = ("W1", "b1", "W2", "b2")
GRADIENT_NAMES: tuple[str, ...] = (
    "dLoss_Yh", "dLoss_Z2", "dLoss_A1", "dLoss_W2", "dLoss_b2", "dLoss_Z1", "dLoss_W1", "dLoss_b1",
)
# exp() overflows float64 just above 709; beyond this the article's own values are inf anyway.
_EXP_LIMIT = 700.0


def init_params(n_x: int, n_h: int, n_y: int = 1, seed: int = 1) -> Params:
    """The article's ``nInit``: scaled Gaussian weights, zero biases, same draws as np.random.seed(seed)."""
    rng = np.random.RandomState(seed)
    W1 = rng.randn(n_h, n_x) / np.sqrt(n_x)
    b1 = np.zeros((n_h, 1))
    W2 = rng.randn(n_y, n_h) / np.sqrt(n_h)
    b2 = np.zeros((n_y, 1))
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def sigmoid(Z: np.ndarray) -> np.ndarray:
    """σ(z) = 1/(1+e^−z). SciPy's ``expit`` (a scikit-learn dependency) is the well-kept stable form:
    it never overflows and keeps full relative precision on both tails, in one fast ufunc."""
    return expit(Z)


def relu(Z: np.ndarray) -> np.ndarray:
    return np.maximum(Z, 0.0)


def forward(params: Params, X: np.ndarray) -> Cache:
    """The article's ``forward``: Z1 = W1·X + b1, A1 = ReLU(Z1), Z2 = W2·A1 + b2, Yh = σ(Z2)."""
    Z1 = params["W1"] @ X
    Z1 += params["b1"]  # in place: one temporary fewer on the hot path of training
    A1 = relu(Z1)
    Z2 = params["W2"] @ A1
    Z2 += params["b2"]
    return {"Z1": Z1, "A1": A1, "Z2": Z2, "Yh": sigmoid(Z2)}


def _cross_entropy_per_sample(Z2: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """log(1 + e^z) − y·z for every sample: the cross-entropy written in the logits, finite for every z.

    Subtracting per sample (not two summed totals) avoids a cancellation that could print a slightly
    negative loss once every sample is fitted with large logits.
    """
    per_sample = np.logaddexp(0.0, Z2)
    per_sample -= Y * Z2
    return per_sample


def loss_from_logits(Z2: np.ndarray, Y: np.ndarray) -> float:
    """Mean binary cross-entropy over the samples, from the logits Z2."""
    return float(_cross_entropy_per_sample(Z2, Y).sum() / Z2.size)


def loss_per_row(Z2: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """``loss_from_logits`` for a stack of logit rows (k, m) against one Y: one mean loss per row."""
    return _cross_entropy_per_sample(Z2, Y.reshape(1, -1)).sum(axis=-1) / Z2.shape[-1]


def loss(cache: Cache, Y: np.ndarray) -> float:
    """The article's ``nloss`` (mean cross-entropy), computed from Z2 so it never returns nan/inf."""
    return loss_from_logits(cache["Z2"], Y)


def d_sigmoid(Z: np.ndarray) -> np.ndarray:
    """The article's ``dSigmoid``: σ(z)·(1 − σ(z))."""
    s = sigmoid(Z)
    return s * (1.0 - s)


def d_relu(Z: np.ndarray) -> np.ndarray:
    """The article's ``dRelu``: 1 where z > 0, else 0."""
    return (Z > 0).astype(Z.dtype)


def loss_gradient_wrt_yh(Z2: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """dLoss_Yh = −(Y/Yh − (1−Y)/(1−Yh)), with 1/Yh = 1 + e^−z and 1/(1−Yh) = 1 + e^z.

    Exactly the article's value wherever that is finite, and still finite when Yh rounds to 0 or 1
    (the exponent is clipped where the article's value would be inf).
    """
    z = np.clip(Z2, -_EXP_LIMIT, _EXP_LIMIT)
    return -(Y * (1.0 + np.exp(-z)) - (1.0 - Y) * (1.0 + np.exp(z)))


def l2_penalty(params: Params, m: int, l2: float) -> float:
    """The weight-decay term (λ/(2m))·(‖W1‖² + ‖W2‖²) added to the loss; 0 when λ = 0.

    Only the weights are decayed, not b1 and b2: a bias shifts a unit's threshold and does not make the
    network's function any steeper, so shrinking it fights the data without reducing overfitting (the
    usual convention, as in scikit-learn's MLPClassifier). m is the number of samples the data term
    averages over (the batch), so λ means the same thing as sklearn's ``alpha``.
    """
    if not l2:
        return 0.0
    W1, W2 = params["W1"], params["W2"]
    return float(l2 / (2.0 * m) * (np.vdot(W1, W1) + np.vdot(W2, W2)))


def parameter_gradients(params: Params, X: np.ndarray, Y: np.ndarray, cache: Cache,
                        l2: float = 0.0) -> dict[str, np.ndarray]:
    """Back-propagation from dLoss_Z2 down to dLoss_W1: what an update needs, nothing more.

    Conventions of the article: dLoss_Z2, dLoss_A1, dLoss_Z1 are per sample; dLoss_W*, dLoss_b* are
    averaged over the m samples. dLoss_Z2 uses the stable form Yh − Y (= dLoss_Yh · dSigmoid(Z2)).
    With ``l2`` = λ > 0, dLoss_W1 and dLoss_W2 are those of the loss plus ``l2_penalty`` (what ``train``
    minimizes): λ/m·W is added (the derivative of (λ/(2m))·‖W‖²); the biases get nothing, see ``l2_penalty``.
    """
    inv_m = 1.0 / X.shape[1]
    # Scaling fresh results in place (and dRelu·dLoss_A1 in dRelu's array, a product being commutative)
    # computes the very same numbers as the textbook expressions with four temporaries fewer per update.
    dLoss_Z2 = cache["Yh"] - Y
    dLoss_A1 = params["W2"].T @ dLoss_Z2
    dLoss_W2 = dLoss_Z2 @ cache["A1"].T
    dLoss_W2 *= inv_m
    dLoss_b2 = dLoss_Z2.sum(axis=1, keepdims=True)
    dLoss_b2 *= inv_m
    dLoss_Z1 = d_relu(cache["Z1"])
    dLoss_Z1 *= dLoss_A1
    dLoss_W1 = dLoss_Z1 @ X.T
    dLoss_W1 *= inv_m
    dLoss_b1 = dLoss_Z1.sum(axis=1, keepdims=True)
    dLoss_b1 *= inv_m
    if l2:  # skipped at λ = 0 so that training without decay is bit-for-bit what it was
        dLoss_W2 += (l2 * inv_m) * params["W2"]
        dLoss_W1 += (l2 * inv_m) * params["W1"]
    return {
        "dLoss_Z2": dLoss_Z2, "dLoss_A1": dLoss_A1, "dLoss_W2": dLoss_W2, "dLoss_b2": dLoss_b2,
        "dLoss_Z1": dLoss_Z1, "dLoss_W1": dLoss_W1, "dLoss_b1": dLoss_b1,
    }


def backward(params: Params, X: np.ndarray, Y: np.ndarray, cache: Cache, l2: float = 0.0) -> dict[str, np.ndarray]:
    """The article's ``backward``: every dLoss_* matrix, in the article's order and shapes.

    ``l2`` adds weight decay to dLoss_W1 and dLoss_W2 only; the per-sample matrices (dLoss_Yh … dLoss_Z1,
    dLoss_A0) are those of the data term, which the penalty does not touch."""
    grads = parameter_gradients(params, X, Y, cache, l2)
    dLoss_A0 = params["W1"].T @ grads["dLoss_Z1"]
    return {"dLoss_Yh": loss_gradient_wrt_yh(cache["Z2"], Y), **grads, "dLoss_A0": dLoss_A0}


def predict_proba(params: Params, X: np.ndarray) -> np.ndarray:
    """Yh, the probability of class 1 for every column of X, shape (1, m)."""
    return forward(params, X)["Yh"]


def predict(params: Params, X: np.ndarray, threshold: float = 0.5) -> np.ndarray:
    """The article's ``pred``: 1 where Yh > threshold, else 0, shape (1, m)."""
    return (predict_proba(params, X) > threshold).astype(int)


def copy_params(params: Params) -> Params:
    return {name: np.array(value, dtype=float, copy=True) for name, value in params.items()}
