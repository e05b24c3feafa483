"""Home: what the app teaches, a link to every lesson, and credit to the article it follows."""

import streamlit as st

from site_map import GUIDED_LESSON, available_lessons
from streamlit_glue.link_guard import guard_link

st.title("Backprop Lab")
guard_link({})  # the home page reads no link value: any key a link brings here is named
st.markdown(
    "See how a **2-layer neural network learns**. The network is the one from the article "
    "*Coding a 2 layer neural network from scratch in Python*: a ReLU hidden layer, a sigmoid output, "
    "the cross-entropy loss, back-propagation and gradient descent — written from scratch in NumPy, "
    "in the article's own notation (X, W1, b1, Z1, A1, W2, b2, Z2, Yh and every dLoss_* gradient)."
)
st.markdown(
    "Move the sliders and watch the math happen: the ball rolling down the loss landscape, the chain "
    "rule walked backwards from the loss to W1, and the network learning to tell malignant from benign "
    "tumours on the Wisconsin breast-cancer data."
)

lessons = available_lessons()
if GUIDED_LESSON in lessons:  # the place to start, first and apart from the rest
    with st.container(border=True, key="home_start_here"):
        st.subheader("Start here")
        st.markdown(GUIDED_LESSON.blurb)
        st.page_link(GUIDED_LESSON.path, label=f"Open the {GUIDED_LESSON.title.lower()}", icon=GUIDED_LESSON.icon,
                     width="stretch")

st.header("Lessons")
if not lessons:
    st.info("The lesson pages are being built; this page lists them as they arrive.")
for lesson in lessons:
    if lesson == GUIDED_LESSON:
        continue
    with st.container(border=True):
        st.page_link(lesson.path, label=lesson.title, icon=lesson.icon)
        st.caption(lesson.blurb)

st.header("Where it comes from")
st.markdown(
    "- The network, its notation and the training variants (batch, mini-batch, stochastic) follow the "
    "article *Coding a 2 layer neural network from scratch in Python* and its follow-up, which trains "
    "the network on the Wisconsin breast-cancer data.\n"
    "- Unlike the article's literal code, which returns `nan` once the sigmoid saturates, Backprop Lab "
    "computes the loss and dLoss_Z2 from the logits, so nothing here ever turns into `nan`.\n"
    "- The built-in data set is scikit-learn's Wisconsin Diagnostic breast-cancer set (569 tumours, "
    "30 features), relabelled so that 1 = malignant as in the article."
)
