"""The files Backprop Lab reads and writes: an uploaded CSV (its limits and plain messages) and the model file.

Not nn_core: the article's math reads no files. This package may import nn_core (a Dataset, the scaling,
predict_proba); streamlit_glue, lessons and the pages may import it (tests/test_architecture.py).
"""
