"""A plain transcription of the article's ``dlnet.gd`` loop, step by step — the in-house peer for
bench/train_speed.py. Deliberately literal (division by Yh, separate dSigmoid, np.dot with ones)."""

from __future__ import annotations

import numpy as np


def article_gd(params: dict, X: np.ndarray, Y: np.ndarray, lr: float, iterations: int) -> tuple[dict, list]:
    param = {name: value.copy() for name, value in params.items()}
    m = X.shape[1]
    losses = []

    def sigmoid(Z):
        return 1 / (1 + np.exp(-Z))

    def relu(Z):
        return np.maximum(0, Z)

    def d_sigmoid(Z):
        s = 1 / (1 + np.exp(-Z))
        return s * (1 - s)

    def d_relu(x):
        x = x.copy()
        x[x <= 0] = 0
        x[x > 0] = 1
        return x

    for _ in range(iterations):
        Z1 = param["W1"].dot(X) + param["b1"]
        A1 = relu(Z1)
        Z2 = param["W2"].dot(A1) + param["b2"]
        Yh = sigmoid(Z2)
        loss = (1.0 / m) * (-np.dot(Y, np.log(Yh).T) - np.dot(1 - Y, np.log(1 - Yh).T))
        dLoss_Yh = -(np.divide(Y, Yh) - np.divide(1 - Y, 1 - Yh))
        dLoss_Z2 = dLoss_Yh * d_sigmoid(Z2)
        dLoss_A1 = np.dot(param["W2"].T, dLoss_Z2)
        dLoss_W2 = 1.0 / A1.shape[1] * np.dot(dLoss_Z2, A1.T)
        dLoss_b2 = 1.0 / A1.shape[1] * np.dot(dLoss_Z2, np.ones([dLoss_Z2.shape[1], 1]))
        dLoss_Z1 = dLoss_A1 * d_relu(Z1)
        dLoss_W1 = 1.0 / X.shape[1] * np.dot(dLoss_Z1, X.T)
        dLoss_b1 = 1.0 / X.shape[1] * np.dot(dLoss_Z1, np.ones([dLoss_Z1.shape[1], 1]))
        param["W1"] = param["W1"] - lr * dLoss_W1
        param["b1"] = param["b1"] - lr * dLoss_b1
        param["W2"] = param["W2"] - lr * dLoss_W2
        param["b2"] = param["b2"] - lr * dLoss_b2
        losses.append(float(loss.item()))
    return param, losses
