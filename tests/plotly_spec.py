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


def chart_specs(at) -> list[tuple[str, dict]]:
    """(element id, figure spec) of every chart an AppTest run drew, in page order within each kind: the ones drawn
    in place by streamlit_glue.plotly_in_place (a component whose data carries the figure) first, then the
    st.plotly_chart ones. The id ends with the chart's key."""
    import json

    in_place = []
    for element in at.get("bidi_component"):
        data = json.loads(element.proto.json) if element.proto.WhichOneof("data") == "json" else {}
        if "spec" in data:
            in_place.append((element.proto.id, json.loads(data["spec"])))
    return in_place + [(element.proto.id, json.loads(element.proto.spec)) for element in at.get("plotly_chart")]
