"""scarwise: assess acne scars, plan cited treatment, and track progress.

The library is the product; the ``scarwise`` command and the web app are shells over these
functions. scarwise is decision support and education, not a diagnosis.
"""

from scarwise._version import __version__
from scarwise.errors import (
    AuthRequired,
    Forbidden,
    InternalError,
    InvalidInput,
    NotFound,
    PhotoRejected,
    Problem,
    ProfileError,
    SafetyViolation,
    ScarwiseError,
    UploadTooLarge,
    UsageError,
)
from scarwise.scales import ScoreResult, score

__all__ = [
    "AuthRequired",
    "Forbidden",
    "InternalError",
    "InvalidInput",
    "NotFound",
    "PhotoRejected",
    "Problem",
    "ProfileError",
    "SafetyViolation",
    "ScarwiseError",
    "ScoreResult",
    "UploadTooLarge",
    "UsageError",
    "__version__",
    "score",
]
