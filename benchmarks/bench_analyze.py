"""Seconds per 12-megapixel photo for ``scarwise analyze`` end to end, and peak memory.

End to end = intake gate (JPEG decode, orientation, checks) + face landmarks + colour + marks
(+ the overlay PNG, timed separately). The photo is made by code: skimage's astronaut portrait
scaled to fill a 4032 x 3024 frame, over a synthetic skin patch with marks, saved as JPEG q92.

Run: ``python benchmarks/bench_analyze.py`` (prints Markdown table rows): medians of 5 runs in a
warm process (modules and face models loaded, as in the web app or a batch run), with the peak
RSS of that process, and the wall time of a cold ``scarwise analyze --json`` command.
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

WIDTH, HEIGHT = 4032, 3024


def make_photo(path: Path) -> None:
    import cv2
    import numpy as np
    import skimage.data
    from PIL import Image

    from scarwise.testing.skin_patches import render_skin_patch

    patch = render_skin_patch(7, size=(1008, 756))
    canvas = cv2.resize(patch.pixels, (WIDTH, HEIGHT), interpolation=cv2.INTER_CUBIC)
    face = cv2.resize(skimage.data.astronaut(), (2600, 2600), interpolation=cv2.INTER_CUBIC)
    canvas[200:2800, 700:3300] = face[:2600, :2600]
    Image.fromarray(np.ascontiguousarray(canvas)).save(path, format="JPEG", quality=92)


def warm_runs(path: str, region: str, repeats: int) -> dict[str, float]:
    """A long-running process (web app, batch): modules and models loaded once, then timed."""
    from scarwise.imaging import analyze_photo, render_overlay
    from scarwise.intake import read_photo_file

    warm = read_photo_file(path)
    analyze_photo(warm, region=region)  # imports, model load, first-touch memory
    rows = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        photo = read_photo_file(path)
        t1 = time.perf_counter()
        result = analyze_photo(photo, region=region)
        t2 = time.perf_counter()
        render_overlay(photo, result)
        t3 = time.perf_counter()
        rows.append((t1 - t0, t2 - t1, t2 - t0, t3 - t2))
    med = [statistics.median(r[i] for r in rows) for i in range(4)]
    return {
        "decode_s": med[0],
        "analyze_s": med[1],
        "end_to_end_s": med[2],
        "overlay_s": med[3],
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "spots": len(result.spots),
        "face_found": result.face_found,
    }


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        print(json.dumps(warm_runs(sys.argv[2], sys.argv[3], 5)))
        return
    path = Path("/tmp/scarwise_bench_12mp.jpg")
    make_photo(path)
    print(
        "| photo, mode | decode s | analyze s | end to end s | overlay PNG s | peak RSS MiB | face / spots |"
    )
    print("|---|---|---|---|---|---|---|")
    for region in ("auto", "full"):
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(path), region],
            capture_output=True,
            text=True,
            check=True,
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"| {WIDTH}x{HEIGHT} JPEG, warm process, --region {region} | {r['decode_s']:.2f} | "
            f"{r['analyze_s']:.2f} | **{r['end_to_end_s']:.2f}** | {r['overlay_s']:.2f} | "
            f"{r['peak_rss_mib']:.0f} | {r['face_found']} / {r['spots']} |"
        )
    cold = []
    for _ in range(3):
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "scarwise", "analyze", str(path), "--json"],
            capture_output=True,
            check=True,
        )
        cold.append(time.perf_counter() - t0)
    print(
        f"| {WIDTH}x{HEIGHT} JPEG, cold `scarwise analyze --json` (new process each) | | | "
        f"**{statistics.median(cold):.2f}** (process wall time) | | | |"
    )


if __name__ == "__main__":
    main()
