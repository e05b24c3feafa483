"""Reading numbers back out of a Plotly figure spec (``fig.to_dict()`` or the JSON Streamlit sends)."""

from __future__ import annotations

import base64

import numpy as np


def decode_array(data) -> np.ndarray:
    """An array from a figure spec: a plain list, or plotly's base64 typed array {"dtype", "bdata", "shape"}."""
    if isinstance(data, dict) and "bdata" in data:
        array = np.frombuffer(base64.b64decode(data["bdata"]), dtype=np.dtype(data["dtype"]))
        shape = data.get("shape")
        if shape:
            array = array.reshape([int(size) for size in str(shape).split(",")])
        return array.astype(float)
    return np.asarray(data, dtype=float)


def traces_by_name(spec: dict) -> dict[str, np.ndarray]:
    """The drawn matrices of an equation figure, by trace name."""
    return {trace["name"]: np.atleast_2d(decode_array(trace["z"])) for trace in spec.get("data", [])
            if trace.get("type") == "heatmap" and "name" in trace}
