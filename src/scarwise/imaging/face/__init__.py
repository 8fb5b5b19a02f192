"""The face in a photo: 468 landmarks from a bundled model, and the face's skin and regions.

:func:`find_face` runs MediaPipe's face detector and face mesh offline (the models and their
licences are in ``models_data/``); :func:`face_skin_mask` and :func:`face_regions` turn the mesh
into the skin to analyse and named regions, and :func:`skin_colour_gate` drops what is not skin
by its colour. Used by the colour analysis and by photo alignment.
"""

from scarwise.imaging.face.landmarks import FaceLandmarks, FaceMesh, find_face
from scarwise.imaging.face.skin_regions import (
    REGION_NAMES,
    face_regions,
    face_skin_mask,
    skin_colour_gate,
)

__all__ = [
    "REGION_NAMES",
    "FaceLandmarks",
    "FaceMesh",
    "face_regions",
    "face_skin_mask",
    "find_face",
    "skin_colour_gate",
]
