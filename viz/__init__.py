"""Pure functions that turn nn_core results into Plotly figures (no Streamlit import here)."""
