"""Speed, memory and accuracy of ``analyze3d`` against a plain least-squares + DCT baseline.

Run: ``python benchmarks/bench_analyze3d.py`` (about 3 minutes; ``--quick`` skips 12 MP);
``python benchmarks/bench_analyze3d.py --validation 20`` prints the tables of
``docs/validation-3d.md`` (about 3 minutes); ``--interleaved 15`` times the baseline and each
stage of the whole analysis one after another in rounds at 1 MP (about 1 minute).

* **Speed**, seconds per megapixel per image set, on rendered scenes of 1 and 4 MP (8 lights)
  and a 12 MP (4032 x 3024) set made by mirroring the 4 MP render: the baseline is plain
  least-squares normals (``pinv(L) @ I``) + the same DCT integration; scarwise is brightness
  estimation + shadow/outlier-robust slopes + DCT integration ("reconstruction"), and the whole
  ``analyze_luminance_3d`` (with scar finding, measuring and typing); then the whole analysis
  stage by stage.
* **Peak memory** of the whole ``analyze_scars_3d`` on 8 photos of 12 MP (8-bit sRGB colour, as
  the intake gate hands them over), measured as the peak RSS of a fresh process.
* **Accuracy** on 4 scenes (seeds 500-503), default and with strong shine at 40 degrees: the
  naive blur-and-threshold pipeline, the baseline reconstruction followed by scarwise's scar
  finder, and scarwise.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

import numpy as np

from scarwise.imaging.integrate import integrate_gradients, integrate_normals
from scarwise.imaging.lights import Light, LightSet
from scarwise.imaging.stereo import (
    estimate_light_intensities,
    estimate_slopes,
    least_squares_normals,
    sample_pixels,
)
from scarwise.testing.scar_scenes import ScarScene, render_scar_scene, validate

LUM = np.array([0.2126, 0.7152, 0.0722], dtype=np.float32)


def _lights(scene: ScarScene) -> LightSet:
    return LightSet(lights=tuple(Light(direction=tuple(d)) for d in scene.directions))  # type: ignore[arg-type]


def _stack(scene: ScarScene) -> np.ndarray:
    return np.stack([im @ LUM for im in scene.images]).astype(np.float32)


def baseline(stack: np.ndarray, directions: np.ndarray, pixel_mm: float) -> np.ndarray:
    normals, _ = least_squares_normals(stack, directions)
    return integrate_normals(normals, pixel_mm)


def scarwise_reconstruction(
    stack: np.ndarray, directions: np.ndarray, pixel_mm: float
) -> np.ndarray:
    """What ``analyze_luminance_3d`` does before finding scars (same functions, same order)."""
    sample = sample_pixels(stack)
    e = estimate_light_intensities(sample, directions)
    field = estimate_slopes(stack, directions, intensities=e, sample=sample)
    return integrate_gradients(field.p, field.q) * np.float32(pixel_mm)


def best_of(fn, repeat: int = 3) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def speed(stack: np.ndarray, scene: ScarScene, label: str, repeat: int) -> None:
    from scarwise.imaging.analyze3d import analyze_luminance_3d

    mp = stack.shape[1] * stack.shape[2] / 1e6
    t_base = best_of(lambda: baseline(stack, scene.directions, scene.pixel_mm), repeat)
    t_rec = best_of(
        lambda: scarwise_reconstruction(stack, scene.directions, scene.pixel_mm), repeat
    )
    lights = _lights(scene)
    t_all = best_of(lambda: analyze_luminance_3d(stack, lights, scene.pixel_mm), repeat)
    print(
        f"| {label} ({mp:.1f} MP, {stack.shape[0]} images) | {t_base / mp:.3f} | {t_rec / mp:.3f} "
        f"({t_rec / t_base:.1f}x) | {t_all / mp:.3f} ({t_all / t_base:.2f}x) |",
        flush=True,
    )
    STAGES.append((label, stages(stack, scene, repeat)))


STAGES: list[tuple[str, dict[str, float]]] = []


def stages(stack: np.ndarray, scene: ScarScene, repeat: int) -> dict[str, float]:
    """Where the whole analysis spends its time (ms, best of ``repeat``), stage by stage."""
    from scarwise.imaging.scars3d import find_scars, surrounding_surface

    d = scene.directions
    e = estimate_light_intensities(sample_pixels(stack), d)
    field = estimate_slopes(stack, d, intensities=e)
    z = integrate_gradients(field.p, field.q) * np.float32(scene.pixel_mm)
    return {
        "light brightness": best_of(
            lambda: estimate_light_intensities(sample_pixels(stack), d), repeat
        ),
        "robust slopes": best_of(lambda: estimate_slopes(stack, d, intensities=e), repeat),
        "DCT integration": best_of(lambda: integrate_gradients(field.p, field.q), repeat),
        "first surface": best_of(lambda: surrounding_surface(z, scene.pixel_mm), repeat),
        "find_scars (surface included)": best_of(lambda: find_scars(z, scene.pixel_mm), repeat),
    }


def print_stages() -> None:
    names = list(STAGES[0][1])
    print("\n| stage, ms (best of runs) | " + " | ".join(label for label, _ in STAGES) + " |")
    print("|---|" + "---|" * len(STAGES))
    for name in names:
        row = " | ".join(f"{times[name] * 1000:.0f}" for _, times in STAGES)
        print(f"| {name} | {row} |")


def interleaved(rounds: int) -> None:
    """Baseline and every stage of the whole analysis at 1 MP, one after another, ``rounds`` times.

    Each stage runs on the previous stage's output, as in ``analyze_luminance_3d``. Interleaving
    gives every function the same share of the machine's slow and quiet moments, so the ratios
    to the baseline hold better than best-of runs taken minutes apart on a shared VM.
    """
    from scarwise.imaging.analyze3d import analyze_luminance_3d
    from scarwise.imaging.scars3d import find_scars

    scene = render_scar_scene(400, size_px=(1024, 1024), n_lights=8)
    stack, d, px = _stack(scene), scene.directions, scene.pixel_mm
    lights = _lights(scene)
    sample = sample_pixels(stack)
    e = estimate_light_intensities(sample, d)
    field = estimate_slopes(stack, d, intensities=e, sample=sample)
    z = integrate_gradients(field.p, field.q) * np.float32(px)
    stages = {
        "baseline LS + DCT": lambda: baseline(stack, d, px),
        "light brightness": lambda: estimate_light_intensities(sample_pixels(stack), d),
        "robust slopes": lambda: estimate_slopes(stack, d, intensities=e, sample=sample),
        "DCT integration": lambda: integrate_gradients(field.p, field.q),
        "find_scars (surface included)": lambda: find_scars(z, px),
        "whole analyze3d": lambda: analyze_luminance_3d(stack, lights, px),
    }
    times: dict[str, list[float]] = {name: [] for name in stages}
    for _ in range(rounds):
        for name, fn in stages.items():
            t = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t)
    base = times["baseline LS + DCT"]
    print(f"\n1024 x 1024, 8 images, {rounds} rounds, stages one after another in each round")
    print(
        "\n| stage | best, ms | median, ms | best / baseline's best | median / baseline's median |"
    )
    print("|---|---|---|---|---|")
    for name, t in times.items():
        print(
            f"| {name} | {min(t) * 1000:.1f} | {np.median(t) * 1000:.1f} | "
            f"{min(t) / min(base):.2f}x | {np.median(t) / np.median(base):.2f}x |"
        )


def naive_scars(z: np.ndarray, pixel_mm: float) -> list[dict[str, object]]:
    """The issue's naive pipeline: blur-and-threshold on the height map (no local reference)."""
    from scipy import ndimage as ndi

    d = ndi.gaussian_filter(z, 2.0 / pixel_mm) - z
    labels, n = ndi.label(d > 0.05)
    out: list[dict[str, object]] = []
    for lab in range(1, n + 1):
        region = labels == lab
        area = float(region.sum()) * pixel_mm**2
        rr, cc = np.nonzero(region)
        out.append(
            {
                "centroid_px": (float(cc.mean()), float(rr.mean())),
                "type": "n/a",
                "depth_mm": float(d[region].max()),
                "diameter_mm": 2 * (area / np.pi) ** 0.5,
                "volume_mm3": float(d[region].sum()) * pixel_mm**2,
            }
        )
    return out


def accuracy(**conditions: object) -> None:
    from scarwise.imaging.analyze3d import analyze_luminance_3d
    from scarwise.imaging.scars3d import find_scars

    naive_pairs, base_pairs, ours_pairs = [], [], []
    for seed in (500, 501, 502, 503):
        scene = render_scar_scene(seed, n_lights=8, **conditions)  # type: ignore[arg-type]
        stack = _stack(scene)
        z = baseline(stack, scene.directions, scene.pixel_mm)
        naive_pairs.append((scene, naive_scars(z, scene.pixel_mm)))
        found = find_scars(z, scene.pixel_mm)
        base_pairs.append(
            (
                scene,
                [
                    {
                        "centroid_px": m.centroid_px,
                        "type": t,
                        "depth_mm": m.depth_mm,
                        "diameter_mm": m.diameter_mm,
                        "volume_mm3": m.volume_mm3,
                    }
                    for m, t in zip(found.scars, found.types, strict=True)
                ],
            )
        )
        result = analyze_luminance_3d(stack, _lights(scene), scene.pixel_mm)
        ours_pairs.append((scene, [s.model_dump() for s in result.scars]))
    extra = ", ".join(f"{k}={v}" for k, v in conditions.items()) or "default scenes"
    print(f"\n#### Accuracy, 4 scenes (seeds 500-503, 640 x 640, 8 lights), {extra}")
    print("\nNaive: plain LS + DCT, then blur-and-threshold (2 mm Gaussian, 0.05 mm):")
    print(validate(naive_pairs).table())
    print("\nBaseline reconstruction (plain LS + DCT), then scarwise's scar finder:")
    print(validate(base_pairs).table())
    print("\nscarwise (robust normals, brightness estimate, scar finder):")
    print(validate(ours_pairs).table(), flush=True)


MEMORY_CHILD = r"""
import resource, sys, time, numpy as np
from scarwise.intake import Photo
from scarwise.imaging.lights import Light, LightSet
from scarwise.imaging.analyze3d import analyze_scars_3d
from scarwise.testing.scar_scenes import light_directions
h, w = 3024, 4032
xx = np.arange(w, dtype=np.float32)[None, :]
yy = np.arange(h, dtype=np.float32)[:, None]
lut = np.round(np.where(np.linspace(0, 1, 4096) <= 0.0031308, 12.92 * np.linspace(0, 1, 4096),
               1.055 * np.linspace(0, 1, 4096) ** (1 / 2.4) - 0.055) * 255).astype(np.uint8)
photos = []
for d in light_directions(8, 30.0):
    shade = (0.45 + 0.05 * np.sin(xx / 300.0) * np.cos(yy / 200.0)) * float(d[2])
    shade *= 1.0 + 0.03 * np.sin((xx * float(d[0]) + yy * float(d[1])) / 40.0)
    px = np.empty((h, w, 3), np.uint8)
    for c, f in enumerate((1.0, 0.78, 0.66)):
        px[..., c] = lut[np.clip(shade * f * 4095, 0, 4095).astype(np.int32)]
    px.setflags(write=False)
    photos.append(Photo(pixels=px, bit_depth=8, format="jpeg", had_icc_profile=False,
                        sha256_original="0" * 64))
    del shade
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
lights = LightSet(lights=tuple(Light(direction=tuple(d)) for d in light_directions(8, 30.0)))
t = time.perf_counter()
analyze_scars_3d(photos, lights, 0.0125)
dt = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(f"{before / 1024:.0f} {peak / 1024:.0f} {dt:.1f}")
"""


def memory() -> None:
    out = subprocess.run(
        [sys.executable, "-c", MEMORY_CHILD], capture_output=True, text=True, check=True
    )
    before, peak, seconds = out.stdout.split()
    print(
        f"\nPeak RSS, analyze_scars_3d on 8 photos of 4032 x 3024 (8-bit sRGB colour): {peak} MiB "
        f"(of which {before} MiB is Python, libraries and the 8 decoded photos); {seconds} s"
    )


def validation(n_scenes: int) -> None:
    """The numbers in docs/validation-3d.md: held-out seeds through files and the intake gate."""
    from scarwise.imaging.analyze3d import analyze_scars_3d
    from scarwise.imaging.lights import parse_lights
    from scarwise.intake import read_photo
    from scarwise.testing.scar_scenes import scene_files

    def run(variant: str, seed0: int, n: int, **kwargs: object) -> None:
        pairs = []
        for seed in range(seed0, seed0 + n):
            scene = render_scar_scene(seed, **kwargs)  # type: ignore[arg-type]
            files = scene_files(scene, variant)  # type: ignore[arg-type]
            names = [name for name, _ in files]
            photos = [read_photo(data, name=name) for name, data in files]
            lights = parse_lights(scene.lights_document(names), names)
            result = analyze_scars_3d(photos, lights, scene.pixel_mm)
            pairs.append((scene, [s.model_dump() for s in result.scars]))
        extra = ", ".join(f"{k}={v}" for k, v in kwargs.items()) or "defaults"
        print(f"\n### {variant}, {n} scenes, seeds {seed0}-{seed0 + n - 1}, {extra}\n")
        print(validate(pairs).table(), flush=True)

    run("png16", 3000, n_scenes)
    run("jpeg", 4000, n_scenes, n_lights=8)
    run("jpeg", 4000, n_scenes, n_lights=6)
    k = max(4, n_scenes // 2)
    run("png16", 5000, k, specular=0.0)
    run("png16", 5000, k, specular=0.15)
    run("png16", 5000, k, n_lights=4)
    run("png16", 5000, k, slant_deg=40.0)
    run("png16", 5000, k, noise=0.02)
    run("jpeg", 5000, k, n_lights=8, texture_um=8.0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="skip the 12 MP runs")
    parser.add_argument(
        "--validation",
        type=int,
        default=0,
        metavar="N",
        help="instead, print the validation tables on N held-out scenes per set",
    )
    parser.add_argument(
        "--interleaved",
        type=int,
        default=0,
        metavar="ROUNDS",
        help="instead, time the baseline and each stage in turn at 1 MP, ROUNDS times",
    )
    args = parser.parse_args()
    if args.interleaved:
        interleaved(args.interleaved)
        return
    if args.validation:
        validation(args.validation)
        return
    if not args.quick:
        memory()  # first: a child process inherits the parent's peak RSS (Linux keeps it over exec)
    print(
        "| set | baseline LS + DCT s/MP | scarwise reconstruction s/MP | scarwise whole analyze3d s/MP |"
    )
    print("|---|---|---|---|")
    small = render_scar_scene(400, size_px=(1024, 1024), n_lights=8)
    speed(_stack(small), small, "1024 x 1024", 3)
    big = render_scar_scene(
        401,
        size_px=(2048, 2048),
        pixel_mm=0.0125,
        n_lights=8,
        counts={"icepick": 8, "boxcar": 6, "rolling": 3},
    )
    big_stack = _stack(big)
    speed(big_stack, big, "2048 x 2048", 2)
    if not args.quick:
        huge = np.pad(big_stack, ((0, 0), (0, 3024 - 2048), (0, 4032 - 2048)), mode="reflect")
        # best of 2 here too: a single run charges the baseline's first-touch page faults of
        # its full-size temporaries (~0.07 s/MP instead of ~0.02 s/MP), which flattered scarwise
        speed(np.ascontiguousarray(huge), big, "4032 x 3024, mirrored", 2)
        del huge
    del big_stack
    print_stages()
    accuracy()
    accuracy(specular=0.15, slant_deg=40.0)
    print(
        json.dumps(
            {"benchmark_maxrss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
        )
    )


if __name__ == "__main__":
    main()
