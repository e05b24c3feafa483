"""Backprop Lab — entry point. Run with: streamlit run app.py"""

import streamlit as st

from site_map import HOME, available_lessons
from streamlit_glue.admission import admission_gate
from streamlit_glue.link_guard import guard_link
from streamlit_glue.lost_session import lost_session_notice
from streamlit_glue.presenter import link_checks as presenter_link_checks
from streamlit_glue.presenter import presenter_requested, presenter_toggle
from streamlit_glue.process_setup import setup_process

st.set_page_config(
    page_title="Backprop Lab",
    page_icon="🧠",  # an emoji favicon is an inline data: URL; a :material/…: one is fetched from fonts.gstatic.com
    layout="wide",
    # the presenter view folds the sidebar away (read from the address or this session before the toggle exists)
    initial_sidebar_state="collapsed" if presenter_requested() else "auto",
    menu_items={"About": "Backprop Lab — see a 2-layer neural network learn, one matrix at a time."},
)

setup_process()  # the first run in a process: one BLAS thread, post-run GC kept cheap (process_setup.py)
admission_gate()  # a server holds so many open pages; one more is told the class is full (admission.py)

# One flat list, Home first. Sections ({"Backprop Lab": [...], "Lessons": [...]}) make Streamlit 1.67 render
# <li> elements outside any list, which axe-core reports as serious `list` / `listitem` violations; a flat
# list has none. position="top" with sections is clean at 1366 px, but below ~768 px it falls back to the
# sidebar, where the violations return.
pages = [st.Page(HOME.path, title=HOME.title, icon=HOME.icon, default=True)]
pages += [st.Page(page.path, title=page.title, icon=page.icon) for page in available_lessons()]
navigation = st.navigation(pages)
guard_link(presenter_link_checks(), whole_page=False)  # each page checks its own keys
presenter_toggle()  # one toggle for every page
lost_session_notice()  # after a failover: what did not come along (deploy/, README "Deploy")
navigation.run()
