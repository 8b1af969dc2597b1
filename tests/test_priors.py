import numpy as np
import pytest

from ac_learned.errors import InputError
from ac_learned.grids import cell_edges, make_nu_grid, make_x_grid
from ac_learned.priors import (
    EDGE,
    FAMILIES,
    Components,
    NoiseModel,
    components_to_weights,
    make_dataset,
    sample_spectra,
)

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


def test_band_edge_component_is_the_cell_integral_of_its_density():
    """EDGE: |u - c|^p exp(-|u - c| / |w|) on the side given by the sign of w, integrated over each cell."""
    u = np.linspace(-1, 1, 2001)
    comp = Components.empty(2)
    comp.set(np.array([0, 1]), 0, EDGE, np.array([0.1, -0.1]), np.array([0.2, -0.2]), 1.0)
    comp.shape[:, 0] = 2.5  # p = 1.5
    a = components_to_weights(comp, u)
    x = np.clip(u - 0.1, 0, None)
    ref = x ** 1.5 * np.exp(-x / 0.2) * np.diff(cell_edges(u))
    np.testing.assert_allclose(a[0], ref / ref.sum(), atol=2e-6)
    assert a[0][u < 0.1].sum() < 1e-12  # one-sided
    np.testing.assert_allclose(a[1], a[0][::-1], atol=1e-12)  # width < 0 mirrors it


def test_continua_family_is_one_sided_and_smooth():
    a, _ = sample_spectra(300, NU, {"continua": 1.0}, np.random.default_rng(0))
    # a continuum spreads its weight: no delta-like peaks, unlike the sharp family
    assert np.median(a.max(axis=1)) < 0.1
    # one or two band edges; two face away from each other across a gap (a semiconductor)
    comp = FAMILIES["continua"](np.random.default_rng(1), 500, 50.0)
    assert np.all(comp.kind[:, 0] == EDGE)
    two = comp.weight[:, 1] > 0
    assert 0.3 < two.mean() < 0.7
    assert np.all(comp.kind[two, 1] == EDGE) and np.all(np.sign(comp.width[two, 0]) == -np.sign(comp.width[two, 1]))
    left_edge = np.where(comp.width[two, 0] < 0, comp.center[two, 0], comp.center[two, 1])
    right_edge = np.where(comp.width[two, 0] > 0, comp.center[two, 0], comp.center[two, 1])
    assert np.all(left_edge <= right_edge)
    assert np.all((comp.shape[:, :2] >= 0.7) & (comp.shape[:, :2] <= 3.5))


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

