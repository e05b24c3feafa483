"""Backprop Lab — entry point. Run with: streamlit run app.py"""

import streamlit as st

from site_map import HOME, available_lessons

st.set_page_config(
    page_title="Backprop Lab",
    page_icon=":material/neurology:",
    layout="wide",
    menu_items={"About": "Backprop Lab — see a 2-layer neural network learn, one matrix at a time."},
)

home = st.Page(HOME.path, title=HOME.title, icon=HOME.icon, default=True)
lessons = [st.Page(page.path, title=page.title, icon=page.icon) for page in available_lessons()]
navigation = st.navigation({"Backprop Lab": [home], "Lessons": lessons} if lessons else [home])
navigation.run()
