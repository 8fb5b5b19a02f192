"""Pictures with no skin in them, for the colour analysis's refusal (exit 3): scikit-image's
cat, cup of coffee and retina (bundled with the package), and a landscape made by code."""

from __future__ import annotations

import cv2
import numpy as np
import skimage.data
from numpy.typing import NDArray

__all__ = ["landscape", "no_skin_pictures"]


def landscape(seed: int = 0, size: tuple[int, int] = (640, 480)) -> NDArray[np.uint8]:
    """A landscape: a blue sky fading to haze, green hills with grass texture, a brown field
    and a path, and a pale sun (``size`` = (width, height))."""
    rng = np.random.default_rng(seed)
    width, height = size
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    img = np.zeros((height, width, 3), dtype=np.float32)
    t = yy / height
    img[:] = np.stack([90 + 120 * t, 140 + 90 * t, 230 - 20 * t], axis=-1)
    hill = 0.45 * height + 0.08 * height * np.sin(xx / width * 5 + rng.uniform(0, 6))
    grass = cv2.GaussianBlur(rng.standard_normal((height, width)).astype(np.float32), (0, 0), 1.2)
    green = np.stack([60 + 25 * grass, 130 + 40 * grass, 50 + 15 * grass], axis=-1)
    img = np.where((yy > hill)[..., None], green, img)
    field = yy > 0.75 * height
    soil = np.stack([120 + 20 * grass, 85 + 15 * grass, 50 + 10 * grass], axis=-1)
    img = np.where(field[..., None], soil, img)
    path = field & (
        np.abs(xx - width / 2 - (yy - 0.75 * height) * 0.8) < 12 + 0.1 * (yy - 0.75 * height)
    )
    img[path] = (200, 190, 170)
    sun = (xx - 0.8 * width) ** 2 + (yy - 0.15 * height) ** 2 < (0.05 * width) ** 2
    img[sun] = (255, 250, 220)
    noise = rng.normal(0, 1.5, img.shape)
    return np.clip(np.round(img + noise), 0, 255).astype(np.uint8)


def _rgb(pixels: object) -> NDArray[np.uint8]:
    return np.ascontiguousarray(np.asarray(pixels, dtype=np.uint8))


def no_skin_pictures() -> dict[str, NDArray[np.uint8]]:
    """Named RGB pictures without skin."""
    return {
        "cat (skimage.data.chelsea)": _rgb(skimage.data.chelsea()),  # type: ignore[no-untyped-call]
        "cup of coffee (skimage.data.coffee)": _rgb(skimage.data.coffee()),  # type: ignore[no-untyped-call]
        "retina (skimage.data.retina)": _rgb(
            cv2.resize(
                skimage.data.retina(),  # type: ignore[no-untyped-call]
                (705, 705),
                interpolation=cv2.INTER_AREA,
            )
        ),
        "landscape (made by code)": landscape(),
    }
