import numpy as np
import pytest

from ac_learned.errors import InputError
from ac_learned.grids import make_nu_grid, make_x_grid
from ac_learned.priors import FAMILIES, NoiseModel, make_dataset, sample_spectra

NU = make_nu_grid(101, 50.0, "sinh")
X = make_x_grid(48, "chebyshev")


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_family_normalised_nonnegative_seeded(family):
    a1, f1 = sample_spectra(300, NU, {family: 1.0}, np.random.default_rng(7))
    a2, _ = sample_spectra(300, NU, {family: 1.0}, np.random.default_rng(7))
    a3, _ = sample_spectra(300, NU, {family: 1.0}, np.random.default_rng(8))
    assert np.all(a1 >= 0)
    np.testing.assert_allclose(a1.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(a1, a2)
    assert not np.array_equal(a1, a3)


def test_sharp_family_has_sharp_peaks():
    a, _ = sample_spectra(200, NU, {"sharp": 1.0}, np.random.default_rng(0))
    assert np.median(a.max(axis=1)) > 0.2


def test_gapped_family_has_a_gap():
    a, _ = sample_spectra(200, NU, {"gapped": 1.0}, np.random.default_rng(0))
    # the minimum between the two largest maxima is far below them for most spectra
    assert np.median(a.min(axis=1)) < 1e-3


def test_mixture_and_dataset_consistency():
    a, g, fam = make_dataset(500, X, NU, {"paper": 1.0, "lorentzians": 1.0}, seed=3)
    assert set(np.unique(fam)) == {0, 1}
    np.testing.assert_allclose(g[:, 0] + g[:, -1], 1.0, rtol=1e-12)


def test_unknown_family_is_clear():
    with pytest.raises(InputError, match="unknown prior families"):
        sample_spectra(3, NU, {"nope": 1.0}, np.random.default_rng(0))


def test_noise_models():
    rng = np.random.default_rng(0)
    white = NoiseModel(1e-3, 1e-3).draw(X, 4000, rng)
    assert abs(white.std() - 1e-3) < 3e-5
    levels = NoiseModel(levels=(1e-5, 1e-3)).draw_sigma(1000, rng)
    assert set(np.unique(levels)) == {1e-5, 1e-3}
    loguni = NoiseModel(1e-5, 1e-2).draw_sigma(20000, rng)
    assert 1e-5 <= loguni.min() and loguni.max() <= 1e-2
    assert abs(np.median(np.log10(loguni)) + 3.5) < 0.05
    corr = NoiseModel(1e-3, 1e-3, p_correlated=1.0, corr_length=(0.2, 0.2)).draw(X, 4000, rng)
    c = np.corrcoef(corr[:, 20], corr[:, 21])[0, 1]
    assert c > 0.8
    assert np.corrcoef(white[:, 20], white[:, 21])[0, 1] < 0.1

