"""Measure ``analyze_photo`` against synthetic skin patches, per skin-tone group.

Writes the tables of docs/validation-colour.md to stdout. The thresholds in
``scarwise.imaging.colour.spots`` were tuned on seeds 0-59; the held-out set uses seeds 10000 and up
(25 patches per group, ITA drawn uniformly inside the group's range).

Run: ``python benchmarks/validate_colour.py [patches_per_group]``
"""

from __future__ import annotations

import io
import sys
from collections import defaultdict

import numpy as np
from PIL import Image

from scarwise.imaging import analyze_photo
from scarwise.imaging.colour import ita_deg, linear_to_lab, srgb_to_linear
from scarwise.intake import read_photo
from scarwise.testing.skin_patches import PatchScore, render_skin_patch, score_analysis

GROUPS = {"light": (45.0, 70.0), "medium": (12.0, 40.0), "dark": (-55.0, 5.0)}


#: A simulated camera whose pigment directions are 8° (melanin) and 6° (haemoglobin) off the ones
#: the analysis assumes.
OTHER_CAMERA = (np.array([0.30, 0.62, 0.72]), np.array([0.30, 0.76, 0.58]))


def _score(
    seed: int, ita: float | None, *, other_camera: bool = False
) -> tuple[PatchScore, float, float]:
    vectors = OTHER_CAMERA if other_camera else (None, None)
    patch = render_skin_patch(
        seed, ita=ita, melanin_vector=vectors[0], haemoglobin_vector=vectors[1]
    )
    buf = io.BytesIO()
    Image.fromarray(patch.pixels).save(buf, format="PNG")
    result = analyze_photo(read_photo(buf.getvalue()), region="full")
    naive = np.median(linear_to_lab(srgb_to_linear(patch.pixels).reshape(-1, 3)), axis=0)
    naive_ita = abs(ita_deg(naive[0], naive[2]) - patch.ita_deg)
    naive_de = float(np.linalg.norm(naive - np.asarray(patch.skin_lab)))
    return score_analysis(patch, result), naive_ita, naive_de


def _table(title: str, rows: list[tuple[PatchScore, float, float]]) -> None:
    by: dict[str, list[tuple[PatchScore, float, float]]] = defaultdict(list)
    for row in rows:
        by[row[0].group].append(row)
    print(f"\n### {title}\n")
    print(
        "| group | patches | max abs ITA error ° | mean abs ITA error ° | max ΔE76 | marks | "
        "recall | precision | kind right | naive median: max ITA error ° / max ΔE76 |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for group in ("light", "medium", "dark"):
        part = by.get(group, [])
        if not part:
            continue
        s = [p[0] for p in part]
        n_true = sum(x.n_true for x in s)
        n_det = sum(x.n_detected for x in s)
        n_match = sum(x.n_matched for x in s)
        n_kind = sum(x.n_kind_right for x in s)
        print(
            f"| {group} | {len(s)} | {max(abs(x.ita_error_deg) for x in s):.2f} | "
            f"{np.mean([abs(x.ita_error_deg) for x in s]):.2f} | {max(x.delta_e76 for x in s):.2f} | "
            f"{n_true} | {n_match / n_true:.3f} | {n_match / max(1, n_det):.3f} | "
            f"{n_kind / max(1, n_match):.3f} | {max(p[1] for p in part):.2f} / "
            f"{max(p[2] for p in part):.2f} |"
        )


def main() -> None:
    per_group = int(sys.argv[1]) if len(sys.argv) > 1 else 25
    held_out = []
    for g, (lo, hi) in enumerate(GROUPS.values()):
        for i in range(per_group):
            seed = 10_000 + 1000 * g + i
            ita = float(np.random.default_rng(seed).uniform(lo, hi))
            held_out.append(_score(seed, ita))
    _table(f"Held-out patches (seeds 10000+, {per_group} per group)", held_out)
    tuning = [_score(seed, None) for seed in range(60)]
    _table("Tuning patches (seeds 0-59, ITA uniform from -55° to 70°)", tuning)
    other = []
    for g, (lo, hi) in enumerate(GROUPS.values()):
        for i in range(10):
            seed = 20_000 + 1000 * g + i
            ita = float(np.random.default_rng(seed).uniform(lo, hi))
            other.append(_score(seed, ita, other_camera=True))
    _table(
        "Camera with other pigment directions (8° and 6° off; seeds 20000+, 10 per group)", other
    )


if __name__ == "__main__":
    main()
