"""The training page's settings, in the sidebar, each bound to the page address so a link shares a run."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from lessons.evaluation import updates_for
from lessons.presets import Preset
from lessons.run_link import RunSpec
from lessons.training_run import RECORDS_PER_RUN, RunConfig
from lessons.url_values import parse_choice, parse_choices, parse_float, parse_int, parse_nearest
from lessons.work_budget import OverBudget, check_training
from nn_core.data import SCALINGS
from nn_core.optimizers import OPTIMIZER_LABELS, OPTIMIZERS
from nn_core.training import steps_per_epoch
from streamlit_glue.link_guard import LinkCheck, single
from viz.style import format_number

LEARNING_RATES = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
# Option widgets bound to the URL store their label there (?train_batch_mode=SGD), so labels stay short.
BATCH_MODES = {"full": "Full batch", "mini": "Mini-batch", "sgd": "SGD"}
SCALING_LABELS = {"standard": "Standardize", "minmax": "Min-max", "none": "None"}
SOURCES = {"builtin": "Built-in Wisconsin data", "upload": "Upload a CSV"}
L2_VALUES = (0.0, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
PATIENCE_MAX = 500  # iterations; 0 = early stopping off

@dataclass(frozen=True)
class TrainingControls:
    source: str
    test_size: float
    stratify: bool
    scaling: str
    split_seed: int
    hidden: int
    lr: float
    batch_mode: str
    batch_size: int
    budget: int  # iterations (full batch) or epochs
    optimizer: str
    init_seed: int
    l2: float = 0.0
    patience: int = 0  # iterations without a better validation loss before stopping; 0 = off

    @property
    def mini_batch(self) -> int | None:
        """None for the full batch (the article), else the rows per update."""
        return {"full": None, "mini": self.batch_size, "sgd": 1}[self.batch_mode]

    def run_config(self, m_train: int) -> RunConfig:
        iterations = self.budget if self.batch_mode == "full" else updates_for(self.budget, m_train, self.mini_batch)
        evaluation_every = max(1, iterations // RECORDS_PER_RUN)  # early stopping watches the monitor's records
        patience = -(-self.patience // evaluation_every) if self.patience else 0
        return RunConfig(hidden=self.hidden, lr=self.lr, iterations=iterations, batch_size=self.mini_batch,
                         optimizer=self.optimizer, init_seed=self.init_seed, l2=self.l2, patience=patience)

    def over_budget(self, n_x: int, m_train: int) -> OverBudget | None:
        """None when this run fits the server's work budget, else the message that names the setting to lower."""
        if self.batch_mode == "full":
            return check_training(self.budget, m_train, self.hidden, n_x)
        return check_training(self.budget, min(self.mini_batch, m_train), self.hidden, n_x,
                              updates_per_step=steps_per_epoch(m_train, self.mini_batch), step_word="epochs")

    def run_spec(self, config: RunConfig, features: tuple[int, ...] | None) -> RunSpec:
        """This run, as the landscape page retrains it (built-in data only: an upload cannot travel in a link)."""
        return RunSpec(hidden=self.hidden, lr=self.lr, optimizer=self.optimizer, iterations=config.iterations,
                       batch_size=config.batch_size, init_seed=self.init_seed, l2=self.l2, test_size=self.test_size,
                       split_seed=self.split_seed, stratify=self.stratify, scaling=self.scaling, features=features)

    def settings(self, data_label: str, feature_names, config: RunConfig) -> dict:
        """What the settings export and the "has anything changed?" key are made of."""
        return {"data": data_label, "test_size": self.test_size, "stratify": self.stratify, "scaling": self.scaling,
                "split_seed": self.split_seed, "hidden": self.hidden, "lr": self.lr, "batch_mode": self.batch_mode,
                "batch_size": config.batch_size, "iterations": config.iterations, "optimizer": self.optimizer,
                "init_seed": self.init_seed, "l2": self.l2, "patience_iterations": self.patience,
                "features": list(feature_names)}


def link_checks(feature_names: list[str]) -> dict[str, LinkCheck]:
    """What each ``train_*`` key of a link may hold: the values the widgets themselves write there."""
    def labels(mapping: dict[str, str]) -> LinkCheck:
        return single(lambda raw: parse_choice(raw, list(mapping.values()), {key: key for key in mapping}))

    def whole(low: int, high: int) -> LinkCheck:
        return single(lambda raw: parse_int(raw, low, high))

    def decimal(low: float, high: float) -> LinkCheck:
        return single(lambda raw: parse_float(raw, low, high))

    return {
        "train_source": labels(SOURCES), "train_test_size": decimal(0.1, 0.5),
        "train_stratify": single(lambda raw: parse_choice(raw, ["true", "false"])),
        "train_scaling": labels(SCALING_LABELS), "train_split_seed": whole(0, 9999), "train_hidden": whole(1, 64),
        "train_lr": single(lambda raw: parse_nearest(raw, LEARNING_RATES)), "train_batch_mode": labels(BATCH_MODES),
        "train_batch_size": whole(2, 256), "train_iterations": whole(10, 5000), "train_epochs": whole(1, 100),
        "train_optimizer": labels(OPTIMIZER_LABELS), "train_seed": whole(0, 9999),
        "train_threshold": decimal(0.05, 0.95),
        "train_features": lambda raws: parse_choices(raws, feature_names)[1],
        "train_l2": single(lambda raw: parse_nearest(raw, L2_VALUES)),
        "train_patience": whole(0, PATIENCE_MAX),
        "train_replay_on": single(lambda raw: parse_choice(raw, ["true", "false"])),
    }


def training_controls() -> TrainingControls:
    """Draw the sidebar's settings and return their values."""
    with st.sidebar:
        st.header("Data")
        source = st.radio("Data set", list(SOURCES), key="train_source", bind="query-params", format_func=SOURCES.get,
                          captions=["569 tumours × 30 features (scikit-learn)", "your own table of numbers"])
        test_size = st.slider("Test fraction", 0.1, 0.5, 0.2, 0.05, key="train_test_size", bind="query-params",
                              help="Share of the rows held out to judge the model (and drawn as the validation curve).")
        stratify = st.toggle("Stratified split", True, key="train_stratify", bind="query-params",
                             help="Keep the share of malignant tumours the same in the training and test sets.")
        scaling = st.selectbox("Scaling", SCALINGS, key="train_scaling", bind="query-params",
                               format_func=SCALING_LABELS.get,
                               help="Standardize: mean 0, sd 1. Min-max: each feature to [0, 1], as the article did. "
                               "Fitted on the training rows only — feature engineering matters, says the article.")
        split_seed = int(st.number_input("Split seed", 0, 9999, 0, key="train_split_seed", bind="query-params"))

        st.header("Network and training")
        hidden = st.slider("Hidden units", 1, 64, 15, key="train_hidden", bind="query-params",
                           help="The article uses 15 ReLU units.")
        lr = st.select_slider("Learning rate", LEARNING_RATES, 0.1, key="train_lr", bind="query-params",
                              format_func=format_number, help="Log scale. Too high and the loss explodes.")
        batch_mode = st.radio("Batch mode", list(BATCH_MODES), key="train_batch_mode", bind="query-params",
                              format_func=BATCH_MODES.get,
                              captions=["all rows per update (the article)", "a few rows per update",
                                        "one row per update"])
        batch_size = st.slider("Mini-batch size", 2, 256, 32, key="train_batch_size", bind="query-params",
                               disabled=batch_mode != "mini")
        if batch_mode == "full":
            budget = st.slider("Iterations", 10, 5000, 300, 10, key="train_iterations", bind="query-params",
                               help="One iteration = one forward, one backward, one update on all the rows.")
        else:
            budget = st.slider("Epochs", 1, 100, 20, key="train_epochs", bind="query-params",
                               help="One epoch = one pass over the training rows, cut into batches.")
        optimizer = st.selectbox("Optimizer", list(OPTIMIZERS), key="train_optimizer", bind="query-params",
                                 format_func=OPTIMIZER_LABELS.get)
        init_seed = int(st.number_input("Initialization seed", 0, 9999, 1, key="train_seed", bind="query-params",
                                        help="The article's nInit uses np.random.seed(1)."))

        st.header("Against overfitting")
        l2 = st.select_slider("Weight decay λ (L2)", L2_VALUES, 0.0, key="train_l2", bind="query-params",
                              format_func=lambda v: "off" if v == 0 else f"{v:g}",
                              help="Adds (λ / 2m)·(‖W1‖² + ‖W2‖²) to the loss, so large weights cost: the network "
                                   "cannot make its function steep enough to memorize the training rows.")
        patience = st.slider("Early stopping: patience (iterations)", 0, PATIENCE_MAX, 0, 10, key="train_patience",
                             bind="query-params", help="Stop when the validation loss has not improved for this "
                             "many iterations, and keep the weights of its best iteration. 0 = off.")
    return TrainingControls(source, test_size, stratify, scaling, split_seed, hidden, lr, batch_mode, int(batch_size),
                            int(budget), optimizer, init_seed, float(l2), int(patience))


def apply_preset(preset: Preset, feature_names: list[str]) -> None:
    """Button callback: put every setting of a preset into the sidebar's widgets (and so into the address)."""
    state = st.session_state
    state.train_features = list(feature_names)
    state.train_source, state.train_test_size, state.train_stratify = "builtin", preset.test_size, preset.stratify
    state.train_scaling, state.train_split_seed, state.train_hidden = preset.scaling, preset.split_seed, preset.hidden
    state.train_lr, state.train_optimizer, state.train_seed = preset.lr, preset.optimizer, preset.init_seed
    state.train_batch_mode, state.train_iterations = "full", preset.iterations
    state.train_l2, state.train_patience = preset.l2, (preset.patience or 0) * preset.eval_every
    state.train_replay_on = True  # the overfitting lesson is best watched
