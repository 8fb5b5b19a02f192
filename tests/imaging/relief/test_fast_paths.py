"""The fast paths of analyze3d give what the plain formulations give."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage as ndi

from scarwise.imaging.relief import splitting
from scarwise.imaging.relief.boxes import CROSS, Box, component_at, tight_box, widen_box
from scarwise.imaging.relief.finding import find_scars
from scarwise.imaging.relief.h_maxima import _h_maxima, one_top_at_most, region_h_maxima
from scarwise.imaging.relief.integration import gradients_from_normals
from scarwise.imaging.relief.measuring import CANDIDATE_MM, NeedsWiderBox, measure_window
from scarwise.imaging.relief.photometric_stereo import estimate_normals, estimate_slopes
from scarwise.imaging.relief.ring_fit import FIT_POINTS, _fit_quadratic
from scarwise.imaging.relief.smoothing import gaussian
from scarwise.imaging.relief.splitting import SPLIT_MAX_CELLS, _basins
from scarwise.imaging.relief.surface import (
    _block_mean,
    _poly_on_grid,
    _upsample,
    least_squares,
    poly_basis,
    surrounding_surface,
)
from scarwise.testing.scar_scenes import light_directions, render_scar_scene

LUM = np.array([0.2126, 0.7152, 0.0722], dtype=np.float32)


def test_slopes_are_the_gradients_of_the_normals() -> None:
    scene = render_scar_scene(
        11, size_px=(320, 320), n_lights=8, counts={"icepick": 2, "boxcar": 1, "rolling": 0}
    )
    stack = np.stack([im @ LUM for im in scene.images]).astype(np.float32)
    field = estimate_normals(stack, scene.directions, tile_pixels=10_000)
    slopes = estimate_slopes(stack, scene.directions, tile_pixels=10_000)
    p, q = gradients_from_normals(field.normals)
    assert np.abs(slopes.p - p).max() < 1e-5 * max(1.0, float(np.abs(p).max()))
    assert np.abs(slopes.q - q).max() < 1e-5 * max(1.0, float(np.abs(q).max()))
    assert np.array_equal(slopes.albedo, field.albedo)
    assert np.array_equal(slopes.used, field.used)


def test_slopes_of_steep_dark_and_backfacing_pixels_follow_the_clamps() -> None:
    lights = light_directions(6, 30.0)
    rng = np.random.default_rng(5)
    n = rng.normal(size=(3, 600))
    n[2, :200] = 0.02 * np.abs(n[2, :200])  # steeper than 84 degrees
    n[2, 200:400] = np.abs(n[2, 200:400]) + 0.5
    n[2, 400:450] = -np.abs(n[2, 400:450])  # facing away from the camera
    n /= np.linalg.norm(n, axis=0)
    obs = (lights @ n * 0.5).astype(np.float32)
    obs[:, 450:470] = 0.0  # no light at all
    obs = obs.reshape(6, 20, 30)
    field = estimate_normals(obs, lights)
    slopes = estimate_slopes(obs, lights)
    p, q = gradients_from_normals(field.normals)
    assert np.abs(slopes.p - p).max() < 1e-4
    assert np.abs(slopes.q - q).max() < 1e-4
    assert np.abs(slopes.p).max() <= 10.0


def test_flood_fill_component_is_the_labelled_component() -> None:
    rng = np.random.default_rng(0)
    for i in range(200):
        mask = ndi.gaussian_filter(rng.standard_normal((30 + i % 9, 45)), 2.0) > 0.1
        seeds = np.argwhere(mask)
        if not len(seeds):
            continue
        seed = (int(seeds[i % len(seeds)][0]), int(seeds[i % len(seeds)][1]))
        box = (slice(7, 7 + mask.shape[0]), slice(3, 48))
        labels, _n = ndi.label(mask)
        want = tight_box(labels == labels[seed], box)
        got = component_at(mask, seed, box)
        assert got is not None
        assert got[0] == want[0]
        assert np.array_equal(got[1], want[1])
    assert component_at(np.zeros((4, 4), bool), (1, 1), box) is None


@pytest.mark.parametrize("sigma", [0.7, 1.0, 15.0])
def test_gaussian_is_ndimage_gaussian(sigma: float) -> None:
    image = np.random.default_rng(1).standard_normal((90, 70)).astype(np.float32)
    want = ndi.gaussian_filter(image, sigma)
    assert np.abs(gaussian(image, sigma) - want).max() < 1e-6
    window = image[7:80, 3:61]  # a strided view is filtered as its copy
    assert np.array_equal(gaussian(window, sigma), gaussian(window.copy(), sigma))


def test_block_mean_and_polynomial_grid() -> None:
    rng = np.random.default_rng(2)
    image = rng.standard_normal((95, 131)).astype(np.float32)
    for f in (1, 3, 8):
        hs, ws = 95 // f, 131 // f
        want = image[: hs * f, : ws * f].reshape(hs, f, ws, f).mean(axis=(1, 3))
        assert np.abs(_block_mean(image, f, hs, ws) - want).max() < 1e-6
    xs = np.linspace(-0.5, 0.5, 40, dtype=np.float32)
    ys = np.linspace(-0.3, 0.3, 25, dtype=np.float32)
    coef = rng.standard_normal(10).astype(np.float32)
    yy, xx = np.meshgrid(ys, xs, indexing="ij")
    want = poly_basis(xx, yy, 3) @ coef
    assert np.abs(_poly_on_grid(coef, xs, ys, 3) - want).max() < 1e-5


def test_measuring_in_a_box_is_measuring_in_the_window() -> None:
    """Every contract number depends only on pixels near the extent, so a box gives the window's."""
    yy, xx = np.mgrid[0:160, 0:200].astype(np.float32)
    r = np.hypot(xx - 90, yy - 70)
    d = (0.3 * np.clip(1 - (r / 25) ** 2, 0, None) + 0.002 * np.sin(xx / 3)).astype(np.float32)
    window = (slice(0, 160), slice(0, 200))
    deepest = (70, 90)
    whole = measure_window(d, deepest, 0.03, None, *window, (400, 400), window)
    box = (slice(30, 115), slice(50, 140))
    part = measure_window(
        d[box], (deepest[0] - 30, deepest[1] - 50), 0.03, None, *box, (400, 400), window
    )
    assert whole is not None and part is not None
    for field in ("depth_mm", "area_mm2", "volume_mm3", "centroid_px", "wall_sharpness"):
        assert getattr(part, field) == getattr(whole, field)
    assert (part.rows, part.cols) == (whole.rows, whole.cols)
    assert np.array_equal(part.mask, whole.mask)
    assert (whole.rows.start, whole.cols.start) == (47, 67)
    tight = (slice(46, 97), slice(64, 117))  # the extent comes within 2 px of this top side
    with pytest.raises(NeedsWiderBox):
        measure_window(
            d[tight], (deepest[0] - 46, deepest[1] - 64), 0.03, None, *tight, (400, 400), window
        )


def test_boxes_widen_towards_the_sides_reached_only() -> None:
    window = (slice(10, 300), slice(0, 200))
    box = (slice(100, 140), slice(50, 60))
    assert widen_box(box, (True, False, False, True), window) == (
        slice(60, 140),
        slice(50, 76),  # at least 16 pixels
    )
    assert widen_box(box, (True, True, True, True), (slice(90, 150), slice(45, 62))) == (
        slice(90, 150),
        slice(45, 62),
    )


def test_saturation_is_counted_as_the_plain_mean() -> None:
    from scarwise.imaging.relief.solve_setup import _saturated_fraction

    stack = np.random.default_rng(4).random((3, 700, 900), dtype=np.float32)
    assert _saturated_fraction(stack) == float((stack >= 0.999).mean())


def _basins_plain(
    cells: np.ndarray, fs: int, shift: tuple[int, int], comp: np.ndarray, box: Box, n: int
) -> list[tuple[Box, np.ndarray]]:
    """The former formulation: the whole box's label image, then ``find_objects``."""
    h, w = comp.shape
    up = np.repeat(np.repeat(cells, fs, axis=0), fs, axis=1)
    ws_full = np.where(comp, up[shift[0] : shift[0] + h, shift[1] : shift[1] + w], 0)
    out = []
    for i, sl in enumerate(ndi.find_objects(ws_full, max_label=n), start=1):
        if sl is not None:
            at = (
                slice(box[0].start + sl[0].start, box[0].start + sl[0].stop),
                slice(box[1].start + sl[1].start, box[1].start + sl[1].stop),
            )
            out.append((at, ws_full[sl] == i))
    return out


def test_basins_label_by_label_are_the_whole_label_image() -> None:
    rng = np.random.default_rng(6)
    for i in range(150):
        fs = 1 + i % 5
        shift = (int(rng.integers(fs)), int(rng.integers(fs)))
        h, w = 20 + i % 17, 31 + i % 13
        n_r, n_c = -(-(h + shift[0]) // fs), -(-(w + shift[1]) // fs)
        n = 1 + i % 6
        cells = rng.integers(0, n + 1, size=(n_r, n_c)).astype(np.int32)
        cells[:, : n_c // 3] = 0 if i % 2 else cells[:, : n_c // 3]  # labels may be missing
        comp = ndi.gaussian_filter(rng.standard_normal((h, w)), 1.5) > -0.2
        box = (slice(5, 5 + h), slice(40, 40 + w))
        got = _basins(cells, fs, shift, comp, box, n)
        want = _basins_plain(cells, fs, shift, comp, box, n)
        assert [b for b, _ in got] == [b for b, _ in want]
        assert all(np.array_equal(g, m) for (_, g), (_, m) in zip(got, want, strict=True))


def test_cross_dilation_is_ndimage_dilation() -> None:
    import cv2

    rng = np.random.default_rng(7)
    for i in range(100):
        mask = rng.random((3 + i % 29, 2 + i % 17)) > 0.8
        want = ndi.binary_dilation(mask, iterations=1)
        assert np.array_equal(cv2.dilate(mask.view(np.uint8), CROSS).view(bool), want)


def _fit_plain(height: np.ndarray, ring: np.ndarray, ring_box: Box, window: Box):  # type: ignore[no-untyped-def]
    """The former robust ring fit (boolean row indexing every round)."""
    flat = np.flatnonzero(ring)
    step = max(1, flat.size // FIT_POINTS)
    rr, cc = np.divmod(flat[::step], ring.shape[1])
    h, w = window[0].stop - window[0].start, window[1].stop - window[1].start
    scale = float(max(h, w))
    xs = (np.arange(w, dtype=np.float32) - w / 2) / scale
    ys = (np.arange(h, dtype=np.float32) - h / 2) / scale
    a = poly_basis(
        xs[cc + ring_box[1].start - window[1].start],
        ys[rr + ring_box[0].start - window[0].start],
        2,
    )
    b = height[rr + ring_box[0].start, cc + ring_box[1].start]
    use = np.ones(rr.size, bool)
    for _ in range(3):
        coef = least_squares(a[use], b[use])
        res = b - a @ coef
        mad = float(1.4826 * np.median(np.abs(res[use]))) + 1e-6
        new_use = np.abs(res) < 3.0 * mad
        if new_use.sum() < 12 or np.array_equal(new_use, use):
            break
        use = new_use
    return coef


def test_ring_fit_is_the_plain_robust_fit() -> None:
    rng = np.random.default_rng(8)
    yy, xx = np.mgrid[0:300, 0:320].astype(np.float32)
    window = (slice(0, 300), slice(0, 320))
    for i in range(12):
        height = 1e-4 * (xx - 150) ** 2 - 2e-5 * xx * yy + 0.002 * rng.standard_normal(xx.shape)
        height = height.astype(np.float32)
        spikes = rng.random(xx.shape) < 0.05 * (i % 4)  # outliers: 0 to 15 % of the ring
        height[spikes] += 0.2
        r_in, r_out = 20 + 5 * i, 40 + 8 * i
        ring_box = (slice(150 - r_out, 150 + r_out), slice(160 - r_out, 160 + r_out))
        ry, rx = np.mgrid[-r_out:r_out, -r_out:r_out]
        ring = (np.maximum(np.abs(ry), np.abs(rx)) > r_in) & (np.hypot(ry, rx) < r_out)
        got = _fit_quadratic(height, ring, ring_box, window)
        assert got is not None
        assert np.array_equal(got, _fit_plain(height, ring, ring_box, window))


def test_picture_wide_regions_are_split_on_a_coarser_grid_with_the_same_scars(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """At 1 MP the bent background forms a candidate region over the whole picture."""
    from scarwise.imaging import Light, LightSet, analyze_luminance_3d
    from scarwise.imaging.relief import shine

    # this scene's sheen bends the background when it is not modelled: the bent height map is
    # what the splitting is tested on
    monkeypatch.setattr(shine, "MIN_GAIN", 2.0)
    scene = render_scar_scene(400, size_px=(1024, 1024), n_lights=8)
    stack = np.stack([im @ LUM for im in scene.images]).astype(np.float32)
    lights = LightSet(lights=tuple(Light(direction=tuple(d)) for d in scene.directions))  # type: ignore[arg-type]
    height = analyze_luminance_3d(stack, lights, scene.pixel_mm).height_map_mm()
    d0 = surrounding_surface(height, scene.pixel_mm) - height
    labels, _n = ndi.label(d0 > CANDIDATE_MM, np.ones((3, 3)))
    boxes = [b for b in ndi.find_objects(labels) if b is not None]
    largest = max((b[0].stop - b[0].start) * (b[1].stop - b[1].start) for b in boxes)
    fine = round(0.1 / scene.pixel_mm) ** 2 * SPLIT_MAX_CELLS
    assert largest > 2 * fine  # the cap is in play: the region gets a grid 2x coarser or more
    coarse = find_scars(height, scene.pixel_mm)
    monkeypatch.setattr(splitting, "SPLIT_MAX_CELLS", 10**9)
    full = find_scars(height, scene.pixel_mm)
    assert len(coarse.scars) == len(full.scars) == len(scene.scars)
    assert coarse.types == full.types
    for a, b in zip(coarse.scars, full.scars, strict=True):
        assert (a.depth_mm, a.area_mm2, a.volume_mm3) == (b.depth_mm, b.area_mm2, b.volume_mm3)
        assert np.array_equal(a.mask, b.mask)


@pytest.mark.parametrize("seed", [21, 22, 23, 24])
def test_light_brightness_from_the_default_sample_is_the_dense_samples(seed: int) -> None:
    """25k sampled pixels estimate the brightnesses as 100k do (the error is the model's)."""
    from scarwise.imaging.relief.photometric_stereo import (
        SAMPLE_PIXELS,
        estimate_light_intensities,
        sample_pixels,
    )

    scene = render_scar_scene(seed, n_lights=8 if seed % 2 else 6)
    stack = np.stack([im @ LUM for im in scene.images]).astype(np.float32)
    e = estimate_light_intensities(sample_pixels(stack), scene.directions)
    dense = estimate_light_intensities(sample_pixels(stack, 4 * SAMPLE_PIXELS), scene.directions)
    true = scene.intensities / np.exp(np.log(scene.intensities).mean())
    assert np.abs(e / dense - 1).max() < 0.01  # measured 0.03-0.44 %
    assert np.abs(e / true - 1).max() < np.abs(dense / true - 1).max() + 0.005


def test_second_largest_is_the_partition() -> None:
    from scarwise.imaging.relief.photometric_stereo import _second_largest

    rng = np.random.default_rng(9)
    for k in range(2, 10):
        obs = rng.random((k, 5000)).astype(np.float32)
        obs[1, ::3] = obs[0, ::3]  # ties: the brightest value twice
        obs[:, ::11] = 0.0  # all dark
        want = np.partition(obs, k - 2, axis=0)[k - 2]
        assert np.array_equal(_second_largest(obs), want)


@pytest.mark.parametrize("seed", [25, 26, 27])
def test_light_brightness_stops_at_its_fixed_point(seed: int) -> None:
    """Stopping after a round that moves no brightness by 0.1 % leaves no real step undone."""
    from scarwise.imaging.relief.photometric_stereo import estimate_light_intensities, sample_pixels

    scene = render_scar_scene(seed, n_lights=8 if seed % 2 else 6)
    stack = np.stack([im @ LUM for im in scene.images]).astype(np.float32)
    samples = sample_pixels(stack)
    e = estimate_light_intensities(samples, scene.directions)
    again = estimate_light_intensities(samples, scene.directions, stated=e, rounds=1)
    assert np.abs(again - 1).max() < 2e-4  # measured <= 3e-5; after one round 0.2-0.6 % is left


def test_h_maxima_on_ranks_is_skimage_h_maxima() -> None:
    """Smooth fields with a plateau of zeros around a thin region, as ``_split`` builds them."""
    from skimage.morphology import h_maxima

    rng = np.random.default_rng(10)
    for i in range(120):
        shape = (5 + i % 37, 4 + (7 * i) % 41)
        field = ndi.gaussian_filter(rng.standard_normal(shape), 1.0 + i % 3) * 0.1 * (1 + i % 5)
        region = ndi.gaussian_filter(rng.standard_normal(shape), 2.0) > 0.3 * (i % 4 - 1)
        image = np.where(region, field, 0.0)
        if i % 6 == 0:  # float32 values, as the smoothed depression map holds them
            image = image.astype(np.float32).astype(np.float64)
        if i % 9 == 0:  # plateaus inside the region too
            image = np.round(image, 2)
        h = (0.03, 0.01, 0.1)[i % 3]
        want = h_maxima(image, h) > 0
        assert np.array_equal(_h_maxima(image, h), want)


def test_upsampled_surface_is_resize_then_edge_padding() -> None:
    import cv2

    rng = np.random.default_rng(11)
    for f, shape in ((7, (1024, 1024)), (3, (95, 131)), (1, (40, 30)), (5, (50, 64))):
        small = rng.standard_normal((shape[0] // f, shape[1] // f)).astype(np.float32)
        up = cv2.resize(small, (small.shape[1] * f, small.shape[0] * f))
        want = np.pad(up, ((0, shape[0] - up.shape[0]), (0, shape[1] - up.shape[1])), mode="edge")
        assert np.array_equal(_upsample(small, f, shape), want)


def test_one_top_at_most_means_one_h_maxima_marker_at_most() -> None:
    from skimage.morphology import h_maxima

    rng = np.random.default_rng(12)
    said = 0
    for i in range(300):
        shape = (4 + i % 23, 5 + (3 * i) % 29)
        field = ndi.gaussian_filter(rng.standard_normal(shape), 1.5 + i % 4) * (1 + i % 7)
        region = ndi.gaussian_filter(rng.standard_normal(shape), 2.0) > 0.4 * (i % 3 - 1)
        image = np.where(region, field, 0.0)
        if i % 5 == 0:
            image = np.round(image, 1)  # plateaus
        h = (0.03, 0.3, 1.0)[i % 3]
        if one_top_at_most(image, region, h):
            said += 1
            assert ndi.label((h_maxima(image, h) > 0) & region)[1] <= 1
    assert 60 < said < 240  # both answers occur


def test_h_maxima_blob_by_blob_is_the_whole_grid() -> None:
    """Regions of several blobs in a plateau of zeros, as ``_split`` samples them on its grid."""
    rng = np.random.default_rng(13)
    blob_by_blob = 0
    for i in range(150):
        shape = (10 + i % 31, 8 + (5 * i) % 37)
        field = np.abs(ndi.gaussian_filter(rng.standard_normal(shape), 1.0 + i % 3)) * (i % 4 + 1)
        region = ndi.gaussian_filter(rng.standard_normal(shape), 1.0 + i % 2) > 0.2 + 0.1 * (i % 5)
        if i % 7 == 0:
            field -= 0.05  # some negative values: the whole-grid path
        if i % 11 == 0:
            field = np.round(field, 1)  # plateaus
        image = np.where(region, field, 0.0)
        h = (0.03, 0.1, 0.3)[i % 3]
        blob_by_blob += image.min() >= 0 and image.max() >= 2 * h
        want = _h_maxima(image, h) & region
        assert np.array_equal(region_h_maxima(image, region, h), want)
    assert blob_by_blob > 60  # 82 of the 150
