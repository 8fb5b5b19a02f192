"""Experiment (issue 6): the slope solver's plain pass compiled with numba, and what it costs.

Run: ``.venv/bin/pip install numba && .venv/bin/python benchmarks/experiment_numba_solver.py``.
numba is not a dependency of scarwise; this script exists so the decision in BENCHMARKS.md
("Sixth session" under issue 6) can be measured again.

What it measures, on the 1 MP benchmark set (8 lights):

* the plain least-squares pass of ``stereo._plain_tile`` (``g``, ``|g|`` and the pixels that need
  the robust solve) in numpy, tile by tile as ``estimate_slopes`` runs it, against one compiled
  loop over the pixels; whether the two agree bit for bit (8 lights, and 6 lights padded to 8);
* what a fresh process pays before the compiled loop first runs: importing numba, and loading
  the kernel from numba's on-disk cache (the first run compiles it and fills the cache).

The kernel is written with one 1-D view per light and the coefficients copied to locals: LLVM
then vectorises the loop over pixels. The obvious forms (``obs[j, i]`` in an inner loop over
lights, or a loop over lights outside loops over blocks of pixels) compiled to scalar code and
ran no faster than numpy (18-56 ms here).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from numba import njit

FAST = {"nnan", "ninf", "nsz"}  # no "contract": no fused multiply-add, so numpy's rounding


# fmt: off
@njit(boundscheck=False, fastmath=FAST, error_model="numpy", nogil=True, cache=True)
def plain_pass_8(r0, r1, r2, r3, r4, r5, r6, r7, pinv, lights, limit0, frac, g0, g1, g2, rho, flag):  # type: ignore[no-untyped-def]
# fmt: on
    """``stereo._plain_tile`` for up to 8 lights, one pass over the pixels.

    Missing lights: a row repeated, with a zero column in ``pinv`` and its own row of ``lights``
    (it adds nothing to ``g`` and repeats a residual).
    """
    p = pinv
    # fmt: off
    a0, a1, a2, a3, a4, a5, a6, a7 = p[0, 0], p[0, 1], p[0, 2], p[0, 3], p[0, 4], p[0, 5], p[0, 6], p[0, 7]
    b0, b1, b2, b3, b4, b5, b6, b7 = p[1, 0], p[1, 1], p[1, 2], p[1, 3], p[1, 4], p[1, 5], p[1, 6], p[1, 7]
    c0, c1, c2, c3, c4, c5, c6, c7 = p[2, 0], p[2, 1], p[2, 2], p[2, 3], p[2, 4], p[2, 5], p[2, 6], p[2, 7]
    lx = (lights[0, 0], lights[1, 0], lights[2, 0], lights[3, 0], lights[4, 0], lights[5, 0], lights[6, 0], lights[7, 0])
    ly = (lights[0, 1], lights[1, 1], lights[2, 1], lights[3, 1], lights[4, 1], lights[5, 1], lights[6, 1], lights[7, 1])
    lz = (lights[0, 2], lights[1, 2], lights[2, 2], lights[3, 2], lights[4, 2], lights[5, 2], lights[6, 2], lights[7, 2])
    # fmt: on
    floor = np.float32(1e-3)
    for i in range(g0.size):
        o0, o1, o2, o3, o4, o5, o6, o7 = r0[i], r1[i], r2[i], r3[i], r4[i], r5[i], r6[i], r7[i]
        x = a0 * o0 + a1 * o1 + a2 * o2 + a3 * o3 + a4 * o4 + a5 * o5 + a6 * o6 + a7 * o7
        y = b0 * o0 + b1 * o1 + b2 * o2 + b3 * o3 + b4 * o4 + b5 * o5 + b6 * o6 + b7 * o7
        z = c0 * o0 + c1 * o1 + c2 * o2 + c3 * o3 + c4 * o4 + c5 * o5 + c6 * o6 + c7 * o7
        top = max(max(max(o0, o1), max(o2, o3)), max(max(o4, o5), max(o6, o7)))
        low = min(min(min(o0, o1), min(o2, o3)), min(min(o4, o5), min(o6, o7)))
        e0 = abs(o0 - (lx[0] * x + ly[0] * y + lz[0] * z))
        e1 = abs(o1 - (lx[1] * x + ly[1] * y + lz[1] * z))
        e2 = abs(o2 - (lx[2] * x + ly[2] * y + lz[2] * z))
        e3 = abs(o3 - (lx[3] * x + ly[3] * y + lz[3] * z))
        e4 = abs(o4 - (lx[4] * x + ly[4] * y + lz[4] * z))
        e5 = abs(o5 - (lx[5] * x + ly[5] * y + lz[5] * z))
        e6 = abs(o6 - (lx[6] * x + ly[6] * y + lz[6] * z))
        e7 = abs(o7 - (lx[7] * x + ly[7] * y + lz[7] * z))
        worst = max(max(max(e0, e1), max(e2, e3)), max(max(e4, e5), max(e6, e7)))
        length = np.sqrt(x * x + y * y + z * z)
        g0[i], g1[i], g2[i], rho[i] = x, y, z, length
        flag[i] = (low <= max(frac * top, floor)) | (worst > limit0 + np.float32(0.02) * length)


def _padded(lights: np.ndarray, pinv: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    k = lights.shape[0]
    p8 = np.zeros((3, 8), np.float32)
    p8[:, :k] = pinv
    l8 = np.vstack([lights, np.repeat(lights[:1], 8 - k, axis=0)]).astype(np.float32)
    return p8, l8


def compare(stack: np.ndarray, directions: np.ndarray, k: int) -> None:
    from scarwise.imaging import stereo

    obs = stack[:k].reshape(k, -1)
    lights = stereo._unit(directions[:k])
    sample = stereo.sample_pixels(stack[:k])
    lights = lights * stereo.estimate_light_intensities(sample, directions[:k])[:, None]
    sigma = stereo._noise_sigma(lights, sample)
    pinv = np.linalg.pinv(lights).astype(np.float32)
    n = obs.shape[1]
    tiles = range(0, n, stereo.TILE_PIXELS)

    def numpy_pass() -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        return [
            stereo._plain_tile(lights, obs[:, s : s + stereo.TILE_PIXELS], sigma, pinv)
            for s in tiles
        ]

    g = np.empty((3, n), np.float32)
    rho = np.empty(n, np.float32)
    flag = np.empty(n, np.bool_)
    p8, l8 = _padded(lights, pinv)
    rows = [*obs, *[obs[0]] * (8 - k)]
    args = (*rows, p8, l8, np.float32(stereo.OUTLIER_SIGMAS * sigma), np.float32(0.06))

    def compiled_pass() -> None:
        plain_pass_8(*args, g[0], g[1], g[2], rho, flag)

    compiled_pass()
    t_np, t_nb = [], []
    for _ in range(10):
        t = time.perf_counter()
        out = numpy_pass()
        t_np.append(time.perf_counter() - t)
        t = time.perf_counter()
        compiled_pass()
        t_nb.append(time.perf_counter() - t)
    same = (
        np.array_equal(np.concatenate([o[0] for o in out], axis=1), g)
        and np.array_equal(np.concatenate([o[1] for o in out]), rho)
        and np.array_equal(
            np.concatenate([o[2] + s for o, s in zip(out, tiles, strict=True)]),
            np.flatnonzero(flag),
        )
    )
    print(
        f"| {k} lights | {min(t_np) * 1000:.1f} | {min(t_nb) * 1000:.1f} | "
        f"{'yes' if same else 'NO'} ({int(flag.sum())} pixels to the robust solve) |"
    )


FRESH = """
import time
t0 = time.perf_counter()
import numpy as np
import experiment_numba_solver as m
t1 = time.perf_counter()
r = [np.ones(1000, np.float32)] * 8
o = [np.empty(1000, np.float32) for _ in range(4)]
m.plain_pass_8(*r, np.zeros((3, 8), np.float32), np.zeros((8, 3), np.float32), np.float32(1),
               np.float32(0.06), *o, np.empty(1000, np.bool_))
print(f"{t1 - t0:.3f} {time.perf_counter() - t1:.3f}")
"""


def fresh_process_cost(runs: int) -> None:
    here = str(Path(__file__).parent)
    print("\n| fresh process | import numba (+ this module), s | first call, s |")
    print("|---|---|---|")
    for i in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", FRESH], cwd=here, capture_output=True, text=True, check=True
        )
        imported, first = out.stdout.split()
        print(f"| run {i + 1} | {imported} | {first} |")


def main() -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    from bench_analyze3d import _stack

    from scarwise.testing.scar_scenes import render_scar_scene

    scene = render_scar_scene(400, size_px=(1024, 1024), n_lights=8)
    stack = _stack(scene)
    print("1024 x 1024: the plain pass, best of 10, ms")
    print("\n| set | numpy, tile by tile | numba, one thread | bit for bit |")
    print("|---|---|---|---|")
    compare(stack, scene.directions, 8)
    compare(stack, scene.directions, 6)
    fresh_process_cost(4)


if __name__ == "__main__":
    main()
