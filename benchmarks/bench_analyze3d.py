"""Whole-command wall time and peak memory of ``scarwise analyze3d``, and its validation numbers.

Run: ``python benchmarks/bench_analyze3d.py`` (a few minutes; ``--quick`` skips 12 MP).

* **Wall time per image set**: ``scarwise analyze3d ... --json`` run as a fresh process on sets
  of 8 rendered photos (16-bit linear PNG, one per light) of 1 MP (1024 x 1024), 4 MP
  (2048 x 2048) and 12 MP (4032 x 3024, the 4 MP render mirrored to a phone's frame): the
  median of ``--repeat`` runs (default 3), from start to exit, so it includes starting Python,
  importing scarwise, reading and checking the files, the analysis and writing the JSON. The
  peak RSS is the child's own (``wait4``; the sets are rendered by another child, because Linux
  hands a parent's peak RSS down to its children). The first row times only the imports, the
  fixed cost of every run.
* ``--validation N`` instead prints the tables of ``docs/validation-3d.md``: held-out seeds
  through files, the intake gate and the lights file (about 3-4 minutes for N = 20).
* ``--accuracy`` instead prints the comparison with simpler pipelines of ``docs/validation-3d.md``
  (plain least squares + DCT, then blur-and-threshold or scarwise's scar finder).
* ``--real`` instead prints the numbers of ``docs/validation-3d.md`` on real photo sets
  (``../shared/data/photometric`` from the repository's root, or ``--data DIR``): the psm grey
  sphere's normals against the analytic sphere, the checks on wrong inputs, ``lights calibrate``
  on the chrome ball, and what is found on the objects and the two faces.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

# numpy and scarwise are imported in the functions that need them: the timing parent stays a
# small process, so the children's peak RSS is their own.
if TYPE_CHECKING:
    from scarwise.imaging import LightSet
    from scarwise.testing.scar_scenes import ScarScene

LUM = (0.2126, 0.7152, 0.0722)
#: label, render arguments, and the (w, h) the render is mirrored to (None: as rendered)
SETS: list[tuple[str, dict[str, Any], tuple[int, int] | None]] = [
    ("1 MP (1024 x 1024)", {"seed": 400, "size_px": (1024, 1024), "n_lights": 8}, None),
    (
        "4 MP (2048 x 2048)",
        {
            "seed": 401,
            "size_px": (2048, 2048),
            "pixel_mm": 0.0125,
            "n_lights": 8,
            "counts": {"icepick": 8, "boxcar": 6, "rolling": 3},
        },
        None,
    ),
]
TWELVE_MP = ("12 MP (4032 x 3024, the 4 MP render mirrored)", SETS[1][1], (4032, 3024))


def _lights(scene: ScarScene) -> LightSet:
    from scarwise.imaging import Light, LightSet

    return LightSet(lights=tuple(Light(direction=tuple(d)) for d in scene.directions))  # type: ignore[arg-type]


def _stack(scene: ScarScene) -> Any:
    import numpy as np

    lum = np.asarray(LUM, dtype=np.float32)
    return np.stack([im @ lum for im in scene.images]).astype(np.float32)


# --- wall time of the whole command -------------------------------------------------------


def write_sets(root: Path, quick: bool) -> None:
    """Every set as 16-bit linear PNG files, a lights file and its pixel size, in ``root/setN``.

    A render is mirrored (reflected) to a larger frame where the set asks for it.
    """
    import numpy as np

    from scarwise.testing.scar_scenes import encode_png16, render_scar_scene

    sets = SETS if quick else [*SETS, TWELVE_MP]
    scenes: dict[int, ScarScene] = {}
    for i, (_label, render, size) in enumerate(sets):
        seed = render["seed"]
        if seed not in scenes:
            kwargs = {k: v for k, v in render.items() if k != "seed"}
            scenes[seed] = render_scar_scene(seed, **kwargs)
        scene = scenes[seed]
        folder = root / f"set{i}"
        folder.mkdir(parents=True, exist_ok=True)
        names = []
        for j, image in enumerate(scene.images):
            lum = image @ np.asarray(LUM, dtype=np.float32)
            if size is not None:
                h, w = lum.shape
                lum = np.pad(lum, ((0, size[1] - h), (0, size[0] - w)), mode="reflect")
            (folder / f"light{j}.png").write_bytes(
                encode_png16(np.ascontiguousarray(lum, dtype=np.float32))
            )
            names.append(f"light{j}.png")
        lights = scene.lights_document(names)
        (folder / "lights.json").write_text(json.dumps(lights), encoding="utf-8")
        (folder / "pixel_mm").write_text(str(scene.pixel_mm), encoding="utf-8")


def run_child(command: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MiB) and stdout of one fresh process."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t = time.perf_counter()
        proc = subprocess.Popen(command, stdout=out, stderr=err)
        _pid, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            raise RuntimeError(f"{command[:4]} failed: {err.read().decode()[-2000:]}")
        return seconds, usage.ru_maxrss / 1024, out.read().decode()


def wall_time(label: str, command: list[str], repeat: int) -> None:
    runs = [run_child(command) for _ in range(repeat)]
    seconds = statistics.median(r[0] for r in runs)
    peak = max(r[1] for r in runs)
    scars = ""
    if runs[0][2].strip():
        obj = json.loads(runs[0][2])
        scars = f"{obj['summary']['count']} scars"
    spread = f"{min(r[0] for r in runs):.2f}-{max(r[0] for r in runs):.2f}"
    print(f"| {label} | {seconds:.2f} | {spread} | {peak:.0f} | {scars} |", flush=True)


def command_times(quick: bool, repeat: int) -> None:
    print(
        f"| set (8 photos, 16-bit PNG) | wall s (median of {repeat}) | range s | peak RSS MiB | found |"
    )
    print("|---|---|---|---|---|")
    imports = "import scarwise.cli.main, scarwise.imaging, scarwise.workflows.analysis3d"
    wall_time("imports only (no photos)", [sys.executable, "-c", imports], repeat)
    sets = SETS if quick else [*SETS, TWELVE_MP]
    with tempfile.TemporaryDirectory(prefix="scarwise-bench3d-") as tmp:
        write = [sys.executable, __file__, "--write-sets", tmp, *(["--quick"] if quick else [])]
        subprocess.run(write, check=True)
        for i, (label, _render, _size) in enumerate(sets):
            folder = Path(tmp) / f"set{i}"
            command = [
                sys.executable,
                "-m",
                "scarwise",
                "analyze3d",
                *sorted(str(p) for p in folder.glob("light*.png")),
                "--lights",
                str(folder / "lights.json"),
                "--pixel-mm",
                (folder / "pixel_mm").read_text(encoding="utf-8"),
                "--json",
            ]
            wall_time(label, command, repeat)


# --- held-out validation ------------------------------------------------------------------


def validation(n_scenes: int) -> None:
    """The numbers in docs/validation-3d.md: held-out seeds through files and the intake gate."""
    from scarwise.imaging import analyze_scars_3d, parse_lights
    from scarwise.intake import read_photo
    from scarwise.testing.scar_scenes import render_scar_scene, scene_files, validate

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


# --- accuracy against simpler pipelines ---------------------------------------------------


def baseline(stack: Any, directions: Any, pixel_mm: float) -> Any:
    """Plain least-squares normals (``pinv(L) @ I``) and the same DCT integration."""
    from scarwise.imaging.relief import integrate_normals, least_squares_normals

    normals, _ = least_squares_normals(stack, directions)
    return integrate_normals(normals, pixel_mm)


def naive_scars(z: Any, pixel_mm: float) -> list[dict[str, object]]:
    """A naive pipeline: blur-and-threshold on the height map (no local reference)."""
    import numpy as np
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
    from scarwise.imaging import analyze_luminance_3d
    from scarwise.imaging.relief import find_scars
    from scarwise.testing.scar_scenes import render_scar_scene, validate

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


# --- real photo sets ----------------------------------------------------------------------

#: 8 of the 12 psm lights, spread around the camera
SPREAD = [0, 1, 4, 5, 6, 10, 3, 8]


def _sphere_truth(mask: Any) -> Any:
    """Analytic normals of the circle fitted (Kasa) to a mask's outline, and the evaluation
    region (the mask less 3 px at its edge)."""
    import cv2
    import numpy as np

    contours, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    pts = max(contours, key=len)[:, 0, :].astype(np.float64)
    a = np.c_[2 * pts[:, 0], 2 * pts[:, 1], np.ones(len(pts))]
    sol = np.linalg.lstsq(a, (pts**2).sum(axis=1), rcond=None)[0]
    cx, cy = sol[0], sol[1]
    r = float(np.sqrt(sol[2] + cx * cx + cy * cy))
    yy, xx = np.mgrid[0 : mask.shape[0], 0 : mask.shape[1]].astype(np.float64)
    nx, ny = (xx - cx) / r, (yy - cy) / r
    truth = np.stack([nx, ny, np.sqrt(np.clip(1 - nx * nx - ny * ny, 0, None))])
    region = cv2.erode(mask.astype(np.uint8), np.ones((7, 7), np.uint8)) > 0
    return truth, region


def real_data(root: Path) -> None:
    """The real-data numbers of docs/validation-3d.md."""
    import cv2
    import numpy as np

    from scarwise.errors import InvalidInput
    from scarwise.imaging import analyze_scars_3d, calibrate_lights_from_sphere, parse_lights
    from scarwise.imaging.relief import least_squares_normals, normals_from_photos, photo_luminance
    from scarwise.intake import read_photo_file

    psm = root / "psm"
    published = np.array(json.loads((psm / "lights.json").read_text()))

    def psm_set(obj: str, idx: list[int]) -> Any:
        photos = [read_photo_file(psm / obj / f"{obj}.{i}.png") for i in idx]
        mask = cv2.imread(str(psm / obj / f"{obj}.mask.png"), cv2.IMREAD_GRAYSCALE) > 128
        return photos, mask

    truth, region = _sphere_truth(psm_set("gray", [0])[1])

    def errors(normals: Any) -> Any:
        n = normals[:, region].astype(np.float64)
        n /= np.linalg.norm(n, axis=0)
        return np.degrees(np.arccos(np.clip((n * truth[:, region]).sum(axis=0), -1, 1)))

    print("\n#### psm grey sphere: normal error against the analytic sphere (degrees)\n")
    print("| lights | brightness | decoding | pipeline | median | mean | warnings |")
    print("|---|---|---|---|---|---|---|")
    for label, idx in (("12 (all)", list(range(12))), ("8 spread", SPREAD)):
        photos, mask = psm_set("gray", idx)
        names = [f"gray.{i}.png" for i in idx]
        lights = parse_lights(published[idx].tolist(), names)
        stack = np.stack([photo_luminance(p, "linear")[0] for p in photos])
        plain, _alb = least_squares_normals(stack, lights.directions())
        e = errors(plain)
        print(
            f"| {label} | equal (assumed) | linear | plain least squares | {np.median(e):.1f} | {e.mean():.1f} | |"
        )
        for encoding in ("linear", "auto"):
            field, warnings = normals_from_photos(photos, lights, mask=mask, encoding=encoding)  # type: ignore[arg-type]
            e = errors(field.normals)
            shown = "; ".join(w[:60] + "..." for w in warnings) or "none"
            print(
                f"| {label} | not stated | {encoding} | scarwise (mask) | {np.median(e):.1f} | "
                f"{e.mean():.1f} | {shown} |"
            )
        field, _w = normals_from_photos(photos, lights, encoding="linear")
        e = errors(field.normals)
        print(
            f"| {label} | not stated | linear | scarwise (no mask) | {np.median(e):.1f} | {e.mean():.1f} | |"
        )

    print("\n#### Wrong inputs on the psm grey sphere and cat (first warning, or the refusal)\n")
    print("| set | input | noticed |")
    print("|---|---|---|")
    for obj in ("gray", "cat"):
        photos, mask = psm_set(obj, list(range(12)))
        names = [f"{obj}.{i}.png" for i in range(12)]
        swap = np.arange(12)
        swap[[2, 7]] = swap[[7, 2]]
        as_text = sorted(range(12), key=str)
        moved = list(photos)
        cases: list[tuple[str, Any, Any, list[str]]] = [
            ("published lights", photos, published, names),
            ("y pointing up", photos, published * [1, -1, 1], names),
            ("x and y reversed", photos, published * [-1, -1, 1], names),
            ("lights shuffled", photos, published[np.random.default_rng(3).permutation(12)], names),
            ("two lights swapped", photos, published[swap], names),
            (
                "photos listed sorted as text",
                [photos[i] for i in as_text],
                published,
                [names[i] for i in as_text],
            ),
            ("12 copies of one photo", [photos[0]] * 12, published, names),
        ]
        from scarwise.intake import Photo

        for i, axis, by in ((3, 1, 8), (7, 0, -8)):
            px = np.roll(np.array(photos[i].pixels), by, axis=axis)
            moved[i] = Photo(px, 8, "png", False, photos[i].sha256_original)
        cases.append(("photos 3 and 7 moved by 8 px", moved, published, names))
        for label, ph, lights_doc, nm in cases:
            try:
                _f, warnings = normals_from_photos(
                    ph, parse_lights(lights_doc.tolist(), nm), mask=mask, encoding="linear"
                )
                shown = warnings[0] if warnings else "nothing (right)"
            except InvalidInput as err:
                shown = "refused (exit 3): " + err.problems[0].got.__str__()
            print(f"| {obj} | {label} | {shown} |")

    print("\n#### lights calibrate on the psm spheres\n")
    lum = {
        obj: [
            photo_luminance(read_photo_file(psm / obj / f"{obj}.{i}.png"), "linear")[0]
            for i in range(12)
        ]
        for obj in ("chrome", "gray", "cat")
    }
    chrome_mask = cv2.imread(str(psm / "chrome" / "chrome.mask.png"), cv2.IMREAD_GRAYSCALE) > 128
    contours, _ = cv2.findContours(
        chrome_mask.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE
    )
    (x, y), r = cv2.minEnclosingCircle(max(contours, key=len))
    unit = published / np.linalg.norm(published, axis=1, keepdims=True)
    for label, obj, circle, method in (
        ("chrome ball, its centre", "chrome", (x, y, r), "chrome"),
        ("chrome ball, centre 30 px off", "chrome", (x + 30, y, r), "chrome"),
        ("chrome ball with --matte", "chrome", (x, y, r), "matte"),
        ("cat photographed as a chrome ball", "cat", (x, y, r), "chrome"),
    ):
        try:
            cal = calibrate_lights_from_sphere(lum[obj], circle, method=method)  # type: ignore[arg-type]
            got = cal.light_set().directions()
            err = np.degrees(np.arccos(np.clip((got * unit).sum(axis=1), -1, 1)))
            print(
                f"- {label}: median {np.median(err):.1f} deg from the published directions, "
                f"fit residual {cal.fit_residual} {cal.fit_residual_unit}"
            )
        except InvalidInput as err:
            p = err.problems[0]
            print(f"- {label}: refused (exit 3), {p.field}: expected {p.expected}")

    print("\n#### Scars found on real objects (0.3 mm per pixel, their own masks)\n")
    for obj in ("gray", "cat", "owl", "buddha", "horse"):
        photos, mask = psm_set(obj, list(range(12)))
        lights = parse_lights(published.tolist(), [f"{obj}.{i}.png" for i in range(12)])
        res = analyze_scars_3d(photos, lights, 0.3, mask=mask, encoding="linear")
        print(f"- psm {obj}: {res.summary.count} ({res.summary.by_type})")
    for obj in ("frog", "hippo", "lizard", "pig", "scholar", "turtle"):
        files = sorted((root / "harvard" / obj).glob("Image_*.png"))
        photos = [read_photo_file(f) for f in files]
        lights = parse_lights(
            json.loads((root / "harvard" / obj / "lights.json").read_text()),
            [f.name for f in files],
        )
        grey = np.stack([p.pixels for p in photos]).max(axis=0).astype(np.float32)
        mask = (
            cv2.morphologyEx(
                (grey > 0.1 * np.percentile(grey, 99)).astype(np.uint8),
                cv2.MORPH_OPEN,
                np.ones((5, 5), np.uint8),
            )
            > 0
        )
        res = analyze_scars_3d(photos, lights, 0.3, mask=mask, encoding="linear")
        print(f"- harvard {obj}: {res.summary.count} ({res.summary.by_type})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="skip the 12 MP set")
    parser.add_argument("--repeat", type=int, default=3, help="runs per set (the median is shown)")
    parser.add_argument(
        "--validation",
        type=int,
        default=0,
        metavar="N",
        help="instead, print the validation tables on N held-out scenes per set",
    )
    parser.add_argument(
        "--accuracy",
        action="store_true",
        help="instead, compare with simpler pipelines on 4 scenes",
    )
    parser.add_argument(
        "--real", action="store_true", help="instead, print the numbers on real photo sets"
    )
    parser.add_argument(
        "--data",
        default=str(Path(__file__).resolve().parents[1].parent / "shared" / "data" / "photometric"),
        help="folder of the real photo sets (for --real)",
    )
    parser.add_argument("--write-sets", metavar="DIR", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.write_sets:
        write_sets(Path(args.write_sets), args.quick)
    elif args.validation:
        validation(args.validation)
    elif args.real:
        real_data(Path(args.data))
    elif args.accuracy:
        accuracy()
        accuracy(specular=0.15, slant_deg=40.0)
    else:
        command_times(args.quick, args.repeat)


if __name__ == "__main__":
    main()
