"""The training page's settings, in the page body, each bound to the page address so a link shares a run."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from lessons.evaluation import updates_for
from lessons.presets import Preset
from lessons.run_link import RunSpec
from lessons.settings import TRAINING, Registry
from lessons.training_run import RECORDS_PER_RUN, RunConfig
from lessons.work_budget import OverBudget, check_training
from streamlit_glue import setting_widgets as widgets

SETTINGS = TRAINING  # every range, option, default and help text: lessons/settings.py


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
    features: tuple[str, ...] = ()  # the built-in data's chosen features (an upload chooses its own)

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
        full = self.batch_mode == "full"
        budget = SETTINGS["train_iterations" if full else "train_epochs"]
        return check_training(self.budget, m_train, self.hidden, n_x, batch_size=self.mini_batch, per_epoch=not full,
                              min_steps=int(budget.low), batch_sizes=(int(SETTINGS["train_batch_size"].low),
                                                                      int(SETTINGS["train_batch_size"].high)))

    def run_spec(self, config: RunConfig, features: tuple[int, ...] | None) -> RunSpec:
        """This run, as the landscape page retrains it (built-in data only: an upload cannot travel in a link)."""
        return RunSpec(hidden=self.hidden, lr=self.lr, optimizer=self.optimizer, iterations=config.iterations,
                       batch_size=config.batch_size, init_seed=self.init_seed, l2=self.l2, test_size=self.test_size,
                       split_seed=self.split_seed, stratify=self.stratify, scaling=self.scaling, features=features)

    def settings(self, data_label: str, feature_names, config: RunConfig, file_sha256: str | None = None) -> dict:
        """What the settings export and the "has anything changed?" key are made of: an upload's content
        (``file_sha256``), not its name, says which data it is."""
        return {"data": data_label, **({"file_sha256": file_sha256} if file_sha256 else {}),
                "test_size": self.test_size, "stratify": self.stratify, "scaling": self.scaling,
                "split_seed": self.split_seed, "hidden": self.hidden, "lr": self.lr, "batch_mode": self.batch_mode,
                "batch_size": config.batch_size, "iterations": config.iterations, "optimizer": self.optimizer,
                "init_seed": self.init_seed, "l2": self.l2, "patience_iterations": self.patience,
                "features": list(feature_names)}


def link_settings(feature_names: list[str]) -> Registry:
    """The registry the page's link is checked against, with this data set's feature names."""
    return SETTINGS.with_options("train_features", feature_names)


def training_controls(feature_names: list[str]) -> TrainingControls:
    """Draw the settings in the page body and return their values.

    In the page, not the sidebar: on a phone the sidebar is folded away behind » and a student never found
    the settings. An expander (open at first) with three columns: on a phone the columns stack.
    """
    with st.expander("Settings: data, network, training", expanded=True, icon=":material/tune:"):
        data, network, against = st.columns(3, gap="medium")
    with data:
        st.markdown("**Data**")
        source = widgets.choice(SETTINGS["train_source"], widget="radio",
                                captions=["569 tumours × 30 features (scikit-learn)", "your own table of numbers"])
        features = list(feature_names)
        if source == "builtin":
            features = widgets.multiselect(link_settings(feature_names)["train_features"], default=features,
                                           placeholder="Choose features")
        test_size = widgets.slider(SETTINGS["train_test_size"])
        stratify = widgets.toggle(SETTINGS["train_stratify"])
        scaling = widgets.choice(SETTINGS["train_scaling"])
        split_seed = widgets.number_input(SETTINGS["train_split_seed"])
    with network:
        st.markdown("**Network and training**")
        hidden = widgets.slider(SETTINGS["train_hidden"])
        lr = widgets.select_slider(SETTINGS["train_lr"])
        batch_mode = widgets.choice(SETTINGS["train_batch_mode"], widget="radio", horizontal=True,
                                    captions=["all rows per update (the article)", "a few rows per update",
                                              "one row per update"])
        batch_size = (widgets.slider(SETTINGS["train_batch_size"]) if batch_mode == "mini"
                      else SETTINGS["train_batch_size"].default)  # only mini-batches have a size to choose
        budget = widgets.slider(SETTINGS["train_iterations" if batch_mode == "full" else "train_epochs"])
        optimizer = widgets.choice(SETTINGS["train_optimizer"])
        init_seed = widgets.number_input(SETTINGS["train_seed"])
    with against:
        st.markdown("**Against overfitting**")
        l2 = widgets.select_slider(SETTINGS["train_l2"])
        patience = widgets.slider(SETTINGS["train_patience"])
    return TrainingControls(source, test_size, stratify, scaling, split_seed, hidden, lr, batch_mode, int(batch_size),
                            int(budget), optimizer, init_seed, float(l2), int(patience), tuple(features))


def apply_preset(preset: Preset, feature_names: list[str]) -> None:
    """Button callback: put every setting of a preset into the settings' widgets (and so into the address)."""
    state = st.session_state
    state.train_features = list(feature_names)
    state.train_source, state.train_test_size, state.train_stratify = "builtin", preset.test_size, preset.stratify
    state.train_scaling, state.train_split_seed, state.train_hidden = preset.scaling, preset.split_seed, preset.hidden
    state.train_lr, state.train_optimizer, state.train_seed = preset.lr, preset.optimizer, preset.init_seed
    state.train_batch_mode, state.train_iterations = "full", preset.iterations
    state.train_l2, state.train_patience = preset.l2, (preset.patience or 0) * preset.eval_every
    state.train_replay_on = True  # the overfitting lesson is best watched
