"""Measure ``analyze_photo`` on real photos (ACNE04) and on the independent optics renderer.

Prints the tables of docs/validation-colour.md ("Real photos" and "Independent renderer"):

* skin region against hand-drawn polygons (tests/imaging/colour/data/acne04_skin_polygons.json,
  held-out photos), and the colour-only path (no face mesh) against labels made from the mesh;
* the share of dermatologist lesion centres inside the analysed skin;
* lesions found, marks on lesions and lesions called red, on the tuning and held-out splits
  (``scarwise.testing.real_photos.split_of``), with the detector's peak threshold swept;
* invariance of ITA° and of the marks to a 1.4x light gradient, a colour cast, JPEG
  re-compression, a 0.7x rescale and a crop, over 30 held-out photos, with a whole-image median
  as the plain peer;
* photos with no skin (scikit-image's cat, coffee, retina; a landscape made by code);
* the independent renderer (``scarwise.testing.skin_optics``) per skin tone.

Run: ``python benchmarks/validate_colour_real.py [--data ../shared/data/acne04] [--quick]``
(about 10 minutes on the 2-core machine; ``--quick`` uses a third of the photos).
"""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from scarwise.errors import InvalidInput
from scarwise.imaging import analyze_photo
from scarwise.imaging.colour import ita_deg, lab_to_linear, linear_to_lab, srgb_to_linear
from scarwise.imaging.colour import red_marks as red_marks_module
from scarwise.imaging.face import face_features_mask, face_oval_mask, find_face_any_orientation
from scarwise.intake import read_photo, read_photo_file
from scarwise.testing.no_skin import no_skin_pictures
from scarwise.testing.real_photos import (
    Acne04Photo,
    acne04_photos,
    brightness_gradient,
    colour_cast,
    crop_centre,
    jpeg_again,
    mark_labels,
    polygon_labels,
    rescale,
    score_lesions,
    score_mask,
    split_of,
)
from scarwise.testing.skin_optics import render_optics_patch, score_optics_patch

ROOT = Path(__file__).resolve().parents[1]
POLYGONS = ROOT / "tests" / "imaging" / "colour" / "data" / "acne04_skin_polygons.json"


def _png(pixels: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format="PNG")
    return buf.getvalue()


def skin_tables(photos: list[Acne04Photo]) -> None:
    by_name = {p.source.split(".")[0]: p for p in photos}
    data = json.loads(POLYGONS.read_text())["photos"]
    rows = []
    for name, polys in data.items():
        photo = read_photo_file(str(by_name[name].path))
        result = analyze_photo(photo)
        mask = result.skin_mask() > 0
        yes, no = polygon_labels(mask.shape, polys["skin"], polys["not_skin"])
        rows.append((name, result.region, score_mask(mask, yes, no)))
    inside = sum(r[2].skin_in_mask for r in rows)
    wrong = sum(r[2].not_skin_in_mask for r in rows)
    skin = sum(r[2].skin_px for r in rows)
    print("\n### Skin region against hand-drawn polygons (held-out photos)\n")
    print(
        "| photos | face found | precision (pixels) | coverage (pixels) | worst photo precision |"
    )
    print("|---|---|---|---|---|")
    worst = min(rows, key=lambda r: r[2].precision)
    print(
        f"| {len(rows)} | {sum(r[1] == 'face' for r in rows)} | {inside / (inside + wrong):.3f} | "
        f"{inside / skin:.3f} | {worst[2].precision:.2f} ({worst[0]}, {worst[1]}) |"
    )
    # The colour-only path against labels made from the mesh: independent of the label maker.
    held = [p for p in photos if split_of(p) == "held_out"]
    tp = fp = sk = n = 0
    for p in held:
        rgb = np.asarray(Image.open(p.path).convert("RGB"))
        face = find_face_any_orientation(rgb)
        if face is None:
            continue
        shape = rgb.shape[:2]
        inner = face_oval_mask(shape, face.points, grow=-0.08)
        # Certainly skin: the oval's inner part minus features with a wide margin and minus
        # the top fifth of the oval (hairline, bangs); certainly not: eyes, brows, lips.
        top = face.points[:, 1].min() + 0.2 * np.ptp(face.points[:, 1])
        rows_y = np.arange(shape[0])[:, None]
        yes = inner & ~face_features_mask(shape, face.points, margin=0.6) & (rows_y > top)
        no = face_features_mask(shape, face.points, margin=0.0)
        seg_mask = _colour_only_mask(rgb)
        if seg_mask is None:
            continue
        tp += int((seg_mask & yes).sum())
        fp += int((seg_mask & no).sum())
        sk += int(yes.sum())
        n += 1
    print("\n### Colour-only skin (no mesh used) against mesh-made labels (held-out photos)\n")
    print("| photos | precision vs eyes/brows/lips/nostrils | coverage of the mesh's inner skin |")
    print("|---|---|---|")
    print(f"| {n} | {tp / max(1, tp + fp):.3f} | {tp / max(1, sk):.3f} |")


def _colour_only_mask(rgb: np.ndarray) -> np.ndarray | None:
    from scarwise.imaging.colour.skin_segmentation import flat_areas, segment_skin

    h, w = rgb.shape[:2]
    lin = srgb_to_linear(rgb)
    seg = segment_skin(rgb, lin, flat=flat_areas(rgb, (h, w)))
    return seg.mask if seg.mask.any() else None


def lesion_tables(photos: list[Acne04Photo]) -> None:
    print("\n### Dermatologist lesions (ACNE04 circles)\n")
    print(
        "| split | photos | lesions | lesion centres in the skin mask | found | marks on a "
        "lesion | found lesions called red | marks per photo |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for split in ("tune", "held_out"):
        sel = [p for p in photos if p.has_marks and split_of(p) == split]
        tot = np.zeros(6)
        for p in sel:
            photo = read_photo_file(str(p.path))
            result = analyze_photo(photo)
            mask = result.skin_mask() > 0
            c = np.round(p.circles[:, :2]).astype(int).clip(0, np.array(mask.shape[::-1]) - 1)
            labels = mark_labels(mask.shape, result.spot_outlines())
            s = score_lesions(p.circles, labels, [m.kind for m in result.spots])
            tot += [
                s.lesions,
                s.found,
                s.found_red,
                s.marks,
                s.marks_on_lesions,
                mask[c[:, 1], c[:, 0]].sum(),
            ]
        les, found, red, marks, on, centres = tot
        print(
            f"| {split} | {len(sel)} | {les:.0f} | {centres / les:.3f} | {found / les:.3f} | "
            f"{on / max(1, marks):.3f} | {red / max(1, found):.3f} | {marks / len(sel):.1f} |"
        )


def sweep(photos: list[Acne04Photo]) -> None:
    """Recall and precision on the tuning photos for several peak thresholds."""
    sel = [p for p in photos if p.has_marks and split_of(p) == "tune"]
    print("\n### Peak threshold sweep (tuning photos)\n")
    print("| peak threshold (robust sigmas) | found | marks on a lesion | called red |")
    print("|---|---|---|---|")
    saved = red_marks_module.PEAK_SIGMAS
    for value in (5.0, 7.0, 9.0, 12.0):
        red_marks_module.PEAK_SIGMAS = value
        tot = np.zeros(5)
        for p in sel:
            result = analyze_photo(read_photo_file(str(p.path)))
            labels = mark_labels((640, 640), result.spot_outlines())
            s = score_lesions(p.circles, labels, [m.kind for m in result.spots])
            tot += [s.lesions, s.found, s.found_red, s.marks, s.marks_on_lesions]
        print(
            f"| {value:g} | {tot[1] / tot[0]:.3f} | {tot[4] / max(1, tot[3]):.3f} | "
            f"{tot[2] / max(1, tot[1]):.3f} |"
        )
    red_marks_module.PEAK_SIGMAS = saved


def _naive_ita(rgb: np.ndarray) -> float:
    lab = np.median(linear_to_lab(srgb_to_linear(rgb).reshape(-1, 3)[::7]), axis=0)
    return ita_deg(float(lab[0]), float(lab[2]))


def _analyse(data: bytes) -> Any:
    return analyze_photo(read_photo(data))


CAST = (1.1, 1.0, 0.9)


def cast_ita(lab: tuple[float, float, float]) -> float:
    """ITA° of a skin colour seen through :data:`CAST` (what a cast alone does to it)."""
    lin = lab_to_linear(np.asarray(lab)) * np.asarray(CAST)
    new = linear_to_lab(lin)
    return ita_deg(float(new[0]), float(new[2]))


def invariance(photos: list[Acne04Photo], count: int) -> None:
    sel = [p for p in photos if split_of(p) == "held_out"][:count]
    changes: dict[str, list[float]] = {}
    naive: list[float] = []
    spots: dict[str, list[float]] = {}
    for p in sel:
        rgb = np.asarray(Image.open(p.path).convert("RGB"))
        base = _analyse(p.path.read_bytes())
        ita0 = base.skin_tone.ita_deg
        n0 = max(1, len(base.spots))
        for angle in (0.0, 90.0, 180.0, 270.0):
            shifted = brightness_gradient(rgb, ratio=1.4, angle_deg=angle)
            r = _analyse(_png(shifted))
            changes.setdefault("gradient", []).append(abs(r.skin_tone.ita_deg - ita0))
            spots.setdefault("gradient", []).append(abs(len(r.spots) - n0) / n0)
            naive.append(abs(_naive_ita(shifted) - _naive_ita(rgb)))
        variants = {
            "cast (1.1, 1, 0.9): ITA against the cast's own effect": _png(colour_cast(rgb, CAST)),
            "jpeg q75": jpeg_again(rgb, 75),
            "rescale 0.7x": _png(rescale(rgb, 0.7)),
            "crop (central 90 %)": _png(crop_centre(rgb, 0.9)),
        }
        for name, data in variants.items():
            r = _analyse(data)
            expected = cast_ita(base.skin_tone.lab) if name.startswith("cast") else ita0
            changes.setdefault(name, []).append(abs(r.skin_tone.ita_deg - expected))
            spots.setdefault(name, []).append(abs(len(r.spots) - n0) / n0)
    print(f"\n### Invariance on {len(sel)} held-out photos\n")
    print(
        "| change | ITA change median ° | 90th percentile ° | max ° | change in mark count (median) |"
    )
    print("|---|---|---|---|---|")
    for name, vals in changes.items():
        v = np.asarray(vals)
        print(
            f"| {name} | {np.median(v):.2f} | {np.percentile(v, 90):.2f} | {v.max():.2f} | "
            f"{np.median(spots[name]):.0%} |"
        )
    v = np.asarray(naive)
    print(
        f"| gradient, plain whole-image median (peer) | {np.median(v):.2f} | "
        f"{np.percentile(v, 90):.2f} | {v.max():.2f} | |"
    )


def no_skin() -> None:
    print("\n### Photos with no skin\n")
    print("| picture | result |")
    print("|---|---|")
    for name, pixels in no_skin_pictures().items():
        try:
            r = analyze_photo(read_photo(_png(pixels)))
            outcome = f"analysed (region {r.region}, ITA {r.skin_tone.ita_deg:.0f}°)"
        except InvalidInput as err:
            outcome = f"refused: {err}"
        print(f"| {name} | {outcome} |")


def optics(per_tone: int) -> None:
    print(f"\n### Independent renderer (skin_optics, {per_tone} patches per tone, seeds 100+)\n")
    print(
        "| tone | ITA range ° | max abs ITA error ° | max ΔE76 | marks | recall | precision | "
        "kind right |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for tone in ("light", "medium", "dark"):
        scores = []
        itas = []
        for seed in range(100, 100 + per_tone):
            patch = render_optics_patch(seed, tone=tone)  # type: ignore[arg-type]
            result = analyze_photo(read_photo(_png(patch.pixels)), region="full")
            scores.append(score_optics_patch(patch, result))
            itas.append(patch.ita_deg)
        t = sum(s.n_true for s in scores)
        m = sum(s.n_matched for s in scores)
        d = sum(s.n_detected for s in scores)
        k = sum(s.n_kind_right for s in scores)
        print(
            f"| {tone} | {min(itas):.0f} to {max(itas):.0f} | "
            f"{max(abs(s.ita_error_deg) for s in scores):.2f} | "
            f"{max(s.delta_e76 for s in scores):.2f} | {t} | {m / t:.3f} | {m / max(1, d):.3f} | "
            f"{k / max(1, m):.3f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "acne04"))
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--part", default="all")
    args = parser.parse_args()
    photos = acne04_photos(args.data)
    if args.quick:
        photos = photos[::3]
    part = args.part
    if part in ("all", "skin"):
        skin_tables(acne04_photos(args.data))
    if part in ("all", "lesions"):
        lesion_tables(photos)
    if part in ("all", "sweep"):
        sweep(photos)
    if part in ("all", "invariance"):
        invariance(acne04_photos(args.data), 10 if args.quick else 30)
    if part in ("all", "noskin"):
        no_skin()
    if part in ("all", "optics"):
        optics(4 if args.quick else 10)


if __name__ == "__main__":
    main()
