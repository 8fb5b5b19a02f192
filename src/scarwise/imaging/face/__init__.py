"""The face in a photo: 468 landmarks from a bundled model, and the face's skin and regions.

:func:`find_face` runs MediaPipe's face detector and face mesh offline (the models and their
licences are in ``models_data/``), :func:`find_face_any_orientation` also on photos turned by a
quarter turn; :func:`face_skin_mask`, :func:`face_oval_mask`, :func:`face_features_mask` and
:func:`face_regions` turn the mesh into skin, the face's outline, its eyes, brows, lips and
nostrils, and named regions; :func:`skin_colour_gate` drops what is not skin by its colour. Used by the colour analysis and by photo alignment.
"""

from scarwise.imaging.face.landmarks import (
    FaceLandmarks,
    FaceMesh,
    find_face,
    find_face_any_orientation,
)
from scarwise.imaging.face.skin_regions import (
    REGION_NAMES,
    face_features_mask,
    face_outskirts_mask,
    face_oval_mask,
    face_regions,
    face_skin_mask,
    skin_colour_gate,
)

__all__ = [
    "REGION_NAMES",
    "FaceLandmarks",
    "FaceMesh",
    "face_features_mask",
    "face_outskirts_mask",
    "face_oval_mask",
    "face_regions",
    "face_skin_mask",
    "find_face",
    "find_face_any_orientation",
    "skin_colour_gate",
]
