"""Colour formulas: sRGB/Lab, ITA and its bands, CIEDE2000, indices, separation, flattening."""

from __future__ import annotations

import numpy as np
import pytest

from scarwise.imaging.colour import (
    HAEMOGLOBIN_DENSITY,
    MELANIN_DENSITY,
    apply_grey_card,
    ciede2000,
    erythema_index,
    illumination_field,
    ita_category,
    ita_deg,
    lab_to_linear,
    linear_to_lab,
    linear_to_srgb8,
    pigment_amounts,
    separate_chromophores,
    srgb_to_linear,
    srgb_to_linear16,
)


@pytest.mark.parametrize(
    ("srgb", "lightness", "b_star", "ita"),
    [
        # research/image-methods.md §2.3, worked examples computed with skimage [T]
        ((245, 215, 200), 88.1, 11.2, 73.6),
        ((224, 172, 140), None, None, 45.6),
        ((141, 85, 36), None, None, -12.6),
        ((80, 50, 35), None, None, -59.8),
    ],
)
def test_ita_of_published_examples(srgb, lightness, b_star, ita) -> None:
    lab = linear_to_lab(srgb_to_linear(np.array([[srgb]], dtype=np.uint8)))[0, 0]
    if lightness is not None:
        assert lab[0] == pytest.approx(lightness, abs=0.05)
        assert lab[2] == pytest.approx(b_star, abs=0.05)
    assert ita_deg(lab[0], lab[2]) == pytest.approx(ita, abs=0.05)


@pytest.mark.parametrize(
    ("ita", "category"),
    [
        (89.0, "very light"),
        (55.01, "very light"),
        (55.0, "light"),  # the boundary belongs to the darker band (contract)
        (41.01, "light"),
        (41.0, "intermediate"),
        (28.0, "tan"),
        (10.0, "brown"),
        (-29.99, "brown"),
        (-30.0, "dark"),
        (-80.0, "dark"),
    ],
)
def test_ita_bands_and_boundary_convention(ita: float, category: str) -> None:
    assert ita_category(ita) == category


def test_ita_uses_atan2_when_b_is_zero_or_negative() -> None:
    assert ita_deg(60.0, 0.0) == pytest.approx(90.0)
    assert ita_deg(40.0, 0.0) == pytest.approx(-90.0)
    assert ita_deg(50.0, 10.0) == pytest.approx(0.0)


def test_ciede2000_matches_sharma_test_data() -> None:
    # Sharma, Wu, Dalal 2005, Table 1, pairs 1, 7 and 17.
    lab1 = np.array([[50.0, 2.6772, -79.7751], [50.0, 0.0, 0.0], [50.0, 2.5, 0.0]])
    lab2 = np.array([[50.0, 0.0, -82.7485], [50.0, -1.0, 2.0], [73.0, 25.0, -18.0]])
    np.testing.assert_allclose(ciede2000(lab1, lab2), [2.0425, 2.3669, 27.1492], atol=1e-4)


def test_srgb_linear_round_trip_and_sixteen_bit() -> None:
    codes = np.arange(256, dtype=np.uint8)
    lin = srgb_to_linear(codes)
    assert lin[0] == 0 and lin[255] == pytest.approx(1.0)
    assert lin[128] == pytest.approx(0.2158605, abs=1e-6)  # IEC 61966-2-1
    np.testing.assert_array_equal(linear_to_srgb8(lin), codes)
    lin16 = srgb_to_linear16(codes)
    np.testing.assert_allclose(lin16 / 65535.0, lin, atol=1e-5)
    wide = (codes.astype(np.uint16) * 257).reshape(1, -1)
    np.testing.assert_allclose(srgb_to_linear(wide)[0], lin, atol=1e-6)


def test_lab_round_trip() -> None:
    lab = np.array([[62.1, 12.3, 17.9], [35.0, 8.0, 12.0]])
    np.testing.assert_allclose(linear_to_lab(lab_to_linear(lab)), lab, atol=1e-6)


def test_erythema_index_ignores_shading() -> None:
    lin = np.array([[0.5, 0.25, 0.2]])
    assert erythema_index(lin)[0] == pytest.approx(np.log10(2.0))
    assert erythema_index(lin * 0.3)[0] == pytest.approx(np.log10(2.0))


def test_pigment_amounts_recover_known_mixtures() -> None:
    dens = 0.2 * MELANIN_DENSITY + 0.05 * HAEMOGLOBIN_DENSITY
    np.testing.assert_allclose(pigment_amounts(dens), [0.2, 0.05], atol=1e-5)


def test_blind_separation_finds_the_pigment_maps() -> None:
    rng = np.random.default_rng(3)
    h = w = 200
    mel = np.clip(rng.laplace(0, 0.08, (h, w)), -0.2, 0.6)
    hae = np.clip(rng.laplace(0, 0.08, (h, w)), -0.2, 0.6)
    shading = np.linspace(0, 0.5, w)[None, :].repeat(h, 0)
    dens = (
        0.6
        + mel[..., None] * MELANIN_DENSITY
        + hae[..., None] * HAEMOGLOBIN_DENSITY
        + shading[..., None]
    )
    m_est, h_est, _ = separate_chromophores(np.exp(-dens).astype(np.float32))
    assert np.corrcoef(m_est.ravel(), mel.ravel())[0, 1] > 0.9
    assert np.corrcoef(h_est.ravel(), hae.ravel())[0, 1] > 0.9
    assert abs(np.corrcoef(m_est.ravel(), shading.ravel())[0, 1]) < 0.1


def test_illumination_field_recovers_a_one_sided_gradient_with_a_hole() -> None:
    h, w = 300, 400
    yy, xx = np.mgrid[0:h, 0:w] / np.array([h, w])[:, None, None]
    truth = (1 + 0.35 * (xx - 0.5)) * (1 - 0.1 * (yy - 0.5) ** 2)
    truth = truth / truth.mean()
    lum = 0.3 * truth
    mask = np.ones((h, w), dtype=bool)
    lum[100:180, 150:260] *= 0.5  # a dark mark, excluded from the fit
    mask[100:180, 150:260] = False
    field = illumination_field(lum.astype(np.float32), mask, normalise_over=np.ones_like(mask))
    assert np.abs(field / truth - 1).max() < 0.01


def test_grey_card_gains() -> None:
    img = np.full((20, 20, 3), 0.18, dtype=np.float32) * np.array([1.2, 1.0, 0.7], dtype=np.float32)
    out, gains = apply_grey_card(img, (2, 2, 8, 8))
    np.testing.assert_allclose(gains, [1 / 1.2, 1.0, 1 / 0.7], rtol=1e-5)
    np.testing.assert_allclose(out[10, 10], [0.18, 0.18, 0.18], rtol=1e-5)
