"""nn_core.data: the built-in Wisconsin set (label 1 = malignant), sklearn splitting and leak-free scaling."""

from __future__ import annotations

import numpy as np
import pytest

from nn_core import load_cancer, split_and_scale


@pytest.fixture(scope="module")
def dataset():
    return load_cancer()


def test_built_in_data_is_the_wisconsin_diagnostic_set_with_malignant_as_1(dataset):
    assert dataset.X.shape == (569, 30)
    assert len(dataset.feature_names) == 30
    assert dataset.feature_names[0] == "mean radius"
    assert int(dataset.y.sum()) == 212  # malignant tumours (sklearn codes them 0; the article 1)
    assert dataset.class_names == ("benign", "malignant")
    # malignant tumours are larger on average: a check that the flip went the right way
    assert dataset.X[dataset.y == 1, 0].mean() > dataset.X[dataset.y == 0, 0].mean()


def test_split_is_stratified_and_in_the_articles_orientation(dataset):
    split = split_and_scale(dataset, test_size=0.2, seed=0)
    assert split.X_train.shape == (30, 455) and split.X_test.shape == (30, 114)
    assert split.Y_train.shape == (1, 455) and split.Y_test.shape == (1, 114)
    assert split.Y_train.mean() == pytest.approx(212 / 569, abs=0.005)
    assert split.Y_test.mean() == pytest.approx(212 / 569, abs=0.01)


def test_standard_scaling_is_fitted_on_the_training_part_only(dataset):
    split = split_and_scale(dataset, seed=1, scaling="standard")
    np.testing.assert_allclose(split.X_train.mean(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(split.X_train.std(axis=1), 1, atol=1e-12)
    assert np.abs(split.X_test.mean(axis=1)).max() > 1e-3  # test statistics were not used


def test_minmax_and_no_scaling(dataset):
    minmax = split_and_scale(dataset, seed=2, scaling="minmax")
    assert minmax.X_train.min() == pytest.approx(0) and minmax.X_train.max() == pytest.approx(1)
    raw = split_and_scale(dataset, seed=2, scaling="none")
    assert raw.X_train.max() > 100


def test_feature_subset_and_unstratified_split(dataset):
    split = split_and_scale(dataset, seed=3, stratify=False, features=[0, 5, 7])
    assert split.X_train.shape[0] == 3
    assert split.feature_names == tuple(dataset.feature_names[i] for i in (0, 5, 7))
    with pytest.raises(ValueError):
        split_and_scale(dataset, scaling="robust")


def test_same_seed_same_split(dataset):
    a, b = split_and_scale(dataset, seed=4), split_and_scale(dataset, seed=4)
    np.testing.assert_array_equal(a.X_test, b.X_test)


@pytest.mark.parametrize("scaling", ["standard", "minmax", "none"])
def test_the_split_keeps_its_scaling_as_numbers_that_reproduce_the_test_set(dataset, scaling):
    """A saved model needs the scaling: applied to the raw test rows it must give the scaled test set."""
    split = split_and_scale(dataset, seed=5, scaling=scaling)
    raw = split_and_scale(dataset, seed=5, scaling="none")
    assert split.scaling.method == scaling and split.scaling.offset.shape == (30,)
    np.testing.assert_allclose(split.scaling.apply(raw.X_test.T), split.X_test.T, rtol=1e-12, atol=1e-12)
    assert np.all(split.scaling.divisor > 0)
