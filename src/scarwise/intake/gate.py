"""The intake gate: the only way untrusted image bytes become pixels in scarwise.

Every photo, from the command line, the web app or a batch run, passes :func:`read_photo`. The
gate follows ``research/ecosystem-style.md`` §3.3 (OWASP ASVS 5.0 V5 file handling) [V]:

1. a byte cap before anything is parsed (:class:`~scarwise.errors.UploadTooLarge`);
2. the format is detected from the content (magic bytes), never the file name, and only JPEG,
   PNG, TIFF, WebP and HEIC/HEIF are accepted; Pillow is then restricted to that one decoder;
3. a pixel cap read from the header before decoding, and Pillow's own
   ``DecompressionBombWarning`` turned into an error (Pillow only *warns* between 1x and 2x its
   limit) [T, §3.3];
4. a full decode inside one ``try`` mapping Pillow's known decoder exceptions to
   :class:`~scarwise.errors.PhotoRejected` (the list Pillow's own fuzz test accepts);
5. EXIF orientation applied (``ImageOps.exif_transpose``; pillow-heif has already rotated HEIC and
   reset the tag, so the call is a no-op there) [T, image-methods.md §5], an embedded ICC profile
   converted to sRGB with LittleCMS, and nothing else kept: the result holds pixels only, and
   :meth:`Photo.to_png_bytes` writes no EXIF, GPS or XMP.

The uploaded bytes are never kept: :class:`Photo` holds their SHA-256 and the decoded pixels.
Metadata may warn (an unreadable EXIF block or ICC profile becomes a warning), pixels never
(anything wrong with the image data is a rejection).

Threads: ``warnings.catch_warnings`` (used to turn Pillow's bomb warning into an error) changes
process-wide state, so under concurrent decoding another thread may briefly see the default
filter. The gate does not depend on it: its own pixel cap is checked from the header before any
decoding, and with the default cap (64 MP) it is stricter than Pillow's (89.5 MP). Only a cap
raised above Pillow's limit relies on the warning filter.
"""

from __future__ import annotations

import hashlib
import io
import os
import struct
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageCms, ImageFile, ImageOps, UnidentifiedImageError

from scarwise.errors import InternalError, NotFound, PhotoRejected, Problem, UploadTooLarge

if TYPE_CHECKING:
    from scarwise.config import Settings

__all__ = [
    "SUPPORTED_FORMATS",
    "IntakeLimits",
    "Photo",
    "detect_format",
    "image_pixels",
    "read_photo",
    "read_photo_file",
]

#: Formats the gate accepts, as reported in :attr:`Photo.format`.
SUPPORTED_FORMATS: Final = ("jpeg", "png", "tiff", "webp", "heif")

_EXPECTED_FORMAT = "a JPEG, PNG, TIFF, WebP or HEIC/HEIF image"

# Pillow's decoder plug-ins allowed for each detected format (MPO is Pillow's name for a JPEG
# carrying a second picture, as many phone cameras write).
_PILLOW_FORMATS: Final[dict[str, list[str]]] = {
    "jpeg": ["JPEG", "MPO"],
    "png": ["PNG"],
    "tiff": ["TIFF"],
    "webp": ["WEBP"],
    "heif": ["HEIF"],
}

# ISO-BMFF brands of HEIF still images (ISO/IEC 23008-12 Annex B; "mif1"/"msf1" are the
# structural brands iPhones list as compatible) [V: pillow-heif and libheif brand tables].
_HEIF_BRANDS: Final = frozenset(
    {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1", b"msf1"}
)

# What Pillow raises on broken input (the set its own Tests/test_fuzzers.py accepts, plus the
# struct/index/key errors some plug-ins leak on truncated headers). Anything else is a bug and
# must surface in the fuzz tests.
_DECODER_ERRORS: Final = (
    OSError,  # includes UnidentifiedImageError and "image file is truncated"
    SyntaxError,
    ValueError,
    EOFError,
    TypeError,
    struct.error,
    IndexError,
    KeyError,
    ZeroDivisionError,
    OverflowError,
    RuntimeError,  # pillow-heif reports libheif failures this way
    NotImplementedError,
    Image.DecompressionBombError,
    Image.DecompressionBombWarning,
)

_heif_registered = False


@dataclass(frozen=True)
class IntakeLimits:
    """The caps applied to every untrusted image.

    Attributes
    ----------
    max_bytes
        Largest accepted file, in bytes (default 50 MiB).
    max_pixels
        Largest accepted width x height (default 64 MP; a 48-MP phone photo is about
        8064 x 6048 = 48.8 MP [V: ecosystem-style.md §3.3]).
    """

    max_bytes: int = 50 * 1024 * 1024
    max_pixels: int = 64_000_000

    @classmethod
    def from_settings(cls, settings: Settings) -> IntakeLimits:
        """The limits configured in ``settings`` (``SCARWISE_MAX_UPLOAD_BYTES``, ``..._IMAGE_PIXELS``)."""
        return cls(max_bytes=settings.max_upload_bytes, max_pixels=settings.max_image_pixels)


@dataclass(frozen=True)
class Photo:
    """A decoded, checked photo: pixels and what the gate learned; never the uploaded bytes.

    Attributes
    ----------
    pixels
        ``H x W x 3`` RGB or ``H x W`` grey, ``uint8`` or ``uint16``, read-only, EXIF orientation
        applied, converted to sRGB when an ICC profile was embedded.
    bit_depth
        8 or 16.
    format
        The format detected from the content: one of :data:`SUPPORTED_FORMATS`.
    had_icc_profile
        Whether the file carried an ICC profile.
    sha256_original
        Hex SHA-256 of the bytes as received (for audit and de-duplication).
    warnings
        Things the user should know (no colour profile, EXIF unreadable, alpha dropped, ...).
    """

    pixels: NDArray[np.uint8] | NDArray[np.uint16]
    bit_depth: int
    format: str
    had_icc_profile: bool
    sha256_original: str
    warnings: tuple[str, ...] = field(default=())

    @property
    def size_px(self) -> tuple[int, int]:
        """``(width, height)`` in pixels."""
        return int(self.pixels.shape[1]), int(self.pixels.shape[0])

    @property
    def is_colour(self) -> bool:
        """True for RGB pixels, False for grey."""
        return self.pixels.ndim == 3

    def to_png_bytes(self) -> bytes:
        """The pixels as a lossless PNG with no metadata at all (no EXIF, GPS, XMP or text).

        16-bit pixels stay 16-bit. The pixels are already sRGB, so no profile is needed.
        """
        # OpenCV encodes our own checked pixels (zlib level 1: a 12-MP photo in well under a
        # second, where Pillow's level 6 takes seconds) and writes no metadata chunks. Encoding
        # trusted arrays is fine; only *decoding* untrusted bytes must go through Pillow.
        import cv2

        px: NDArray[np.integer[Any]] = np.ascontiguousarray(
            self.pixels[:, :, ::-1] if self.pixels.ndim == 3 else self.pixels
        )
        ok, buf = cv2.imencode(".png", px, [cv2.IMWRITE_PNG_COMPRESSION, 1])
        if not ok:  # pragma: no cover - OpenCV only fails here on out-of-memory
            raise InternalError("could not re-encode the photo as PNG")
        return bytes(buf.tobytes())


def detect_format(data: bytes) -> str | None:
    """The supported format of ``data`` judged from its first bytes, or None.

    Parameters
    ----------
    data
        The file content (only the first few dozen bytes are looked at).

    Returns
    -------
    str or None
        One of :data:`SUPPORTED_FORMATS`, or None when the magic bytes match none of them.
    """
    head = data[:64]
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "tiff"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "webp"
    if len(head) >= 16 and head[4:8] == b"ftyp":
        box_size = int.from_bytes(head[0:4], "big")
        brands = [head[8:12]]
        end = min(max(box_size, 16), len(head))
        brands += [head[i : i + 4] for i in range(16, end - 3, 4)]
        if any(b in _HEIF_BRANDS for b in brands):
            return "heif"
    return None


def read_photo(
    data: bytes,
    *,
    limits: IntakeLimits = IntakeLimits(),
    name: str = "photo",
) -> Photo:
    """Check and decode untrusted image bytes.

    Parameters
    ----------
    data
        The bytes as received. They are hashed and decoded, never kept.
    limits
        Byte and pixel caps (:meth:`IntakeLimits.from_settings` for the configured ones).
    name
        How the file is named in error messages (a display name; never used as a path).

    Returns
    -------
    Photo
        Pixels with orientation applied and colour converted to sRGB.

    Raises
    ------
    UploadTooLarge
        ``data`` is longer than ``limits.max_bytes``.
    PhotoRejected
        Empty, not a supported format (judged from the content), truncated, malformed, a
        decompression bomb, or more pixels than ``limits.max_pixels``.
    """
    size = len(data)
    if size == 0:
        raise _rejected(name, "a non-empty image file", "0 bytes", "the file is empty (0 bytes)")
    if size > limits.max_bytes:
        raise UploadTooLarge(
            f"{name}: the file is {size} bytes, over the limit of {limits.max_bytes} bytes",
            problems=[Problem(name, f"at most {limits.max_bytes} bytes", f"{size} bytes")],
            hint="set SCARWISE_MAX_UPLOAD_BYTES to allow larger files",
        )
    fmt = detect_format(data)
    if fmt is None:
        raise _rejected(
            name,
            _EXPECTED_FORMAT,
            "unrecognised content",
            "not a supported image: the content is not JPEG, PNG, TIFF, WebP or HEIC/HEIF "
            "(the format is judged from the bytes, not the file name)",
        )
    if ImageFile.LOAD_TRUNCATED_IMAGES:  # a global someone else may have set: never run lax
        raise InternalError(
            "PIL.ImageFile.LOAD_TRUNCATED_IMAGES must stay False for the intake gate"
        )
    digest = hashlib.sha256(data).hexdigest()
    if fmt == "heif":
        _register_heif()
    notes: list[str] = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            # Pillow *warns* about bombs between 1x and 2x its own limit: make that an error.
            # Other decoder warnings (e.g. "Corrupt EXIF data") are metadata trouble: a note.
            warnings.simplefilter("always")
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            pixels, bit_depth, had_icc = _decode(data, fmt, limits, name, notes)
        if caught:
            notes.append("the decoder reported damaged metadata; the pixels decoded fully")
    except PhotoRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as err:
        raise _rejected(
            name,
            f"at most {limits.max_pixels} pixels",
            "a decompression bomb",
            "rejected as a decompression bomb (far more pixels than its size suggests)",
        ) from err
    except UnidentifiedImageError as err:
        raise _rejected(
            name,
            f"a valid {fmt.upper()} file",
            "unreadable header",
            f"not a readable {fmt.upper()} image",
        ) from err
    except _DECODER_ERRORS as err:
        raise _rejected(
            name,
            f"a complete, valid {fmt.upper()} file",
            "truncated or malformed image data",
            f"the {fmt.upper()} image is truncated or malformed and cannot be decoded",
        ) from err
    if not had_icc:
        notes.append("no embedded colour profile: sRGB assumed")
    pixels.setflags(write=False)
    return Photo(
        pixels=pixels,
        bit_depth=bit_depth,
        format=fmt,
        had_icc_profile=had_icc,
        sha256_original=digest,
        warnings=tuple(notes),
    )


def image_pixels(data: bytes, *, limits: IntakeLimits = IntakeLimits(), name: str = "photo") -> int:
    """Width x height of untrusted image bytes, read from the header: nothing is decoded.

    For a budget over several photos (the 3-D analysis takes up to 16): the total is known
    before the first one is decoded. The bytes are checked as :func:`read_photo` checks them
    (size, format from the content, one allowed decoder), so the same files are refused.

    Raises
    ------
    UploadTooLarge, PhotoRejected
        As :func:`read_photo`, for the size, the format or an unreadable header.
    """
    if len(data) > limits.max_bytes:
        raise UploadTooLarge(
            f"{name}: the file is {len(data)} bytes, over the limit of {limits.max_bytes} bytes",
            problems=[Problem(name, f"at most {limits.max_bytes} bytes", f"{len(data)} bytes")],
            hint="set SCARWISE_MAX_UPLOAD_BYTES to allow larger files",
        )
    fmt = detect_format(data)
    if fmt is None:
        raise _rejected(name, _EXPECTED_FORMAT, "unrecognised content", "not a supported image")
    if fmt == "heif":
        _register_heif()
    try:
        with Image.open(io.BytesIO(data), formats=_PILLOW_FORMATS[fmt]) as opened:
            width, height = opened.size
    except _DECODER_ERRORS as err:
        raise _rejected(
            name,
            f"a valid {fmt.upper()} file",
            "unreadable header",
            f"not a readable {fmt.upper()} image",
        ) from err
    return int(width) * int(height)


def read_photo_file(
    path: str | os.PathLike[str],
    *,
    limits: IntakeLimits = IntakeLimits(),
) -> Photo:
    """Read a photo from a file through the gate (the file size is checked before reading).

    Raises
    ------
    NotFound
        There is no such file.
    UploadTooLarge, PhotoRejected
        As :func:`read_photo`.
    """
    p = Path(path)
    display = p.name or str(p)
    try:
        st = p.stat()
    except FileNotFoundError as err:
        raise NotFound(
            f"{display}: no such file",
            problems=[Problem(str(p), "an existing image file", "missing")],
        ) from err
    except OSError as err:
        raise PhotoRejected(
            f"{display}: the file cannot be read",
            problems=[Problem(str(p), "a readable image file", "unreadable")],
        ) from err
    if not p.is_file():
        raise _rejected(display, "an image file", "not a regular file", "not a regular file")
    if st.st_size > limits.max_bytes:
        raise UploadTooLarge(
            f"{display}: the file is {st.st_size} bytes, over the limit of {limits.max_bytes} bytes",
            problems=[Problem(display, f"at most {limits.max_bytes} bytes", f"{st.st_size} bytes")],
            hint="set SCARWISE_MAX_UPLOAD_BYTES to allow larger files",
        )
    try:
        with p.open("rb") as fh:
            data = fh.read(limits.max_bytes + 1)
    except OSError as err:
        raise PhotoRejected(
            f"{display}: the file cannot be read",
            problems=[Problem(display, "a readable image file", "unreadable")],
        ) from err
    return read_photo(data, limits=limits, name=display)


# --- internals ------------------------------------------------------------------------------


def _rejected(name: str, expected: str, got: str, why: str) -> PhotoRejected:
    return PhotoRejected(f"{name}: {why}", problems=[Problem(name, expected, got)])


def _register_heif() -> None:
    global _heif_registered
    if not _heif_registered:
        import pillow_heif

        # Thumbnails, depth maps and auxiliary images are never needed: do not decode them.
        pillow_heif.register_heif_opener(thumbnails=False, depth_images=False, aux_images=False)
        _heif_registered = True


def _decode(
    data: bytes, fmt: str, limits: IntakeLimits, name: str, notes: list[str]
) -> tuple[NDArray[np.uint8] | NDArray[np.uint16], int, bool]:
    """Open with the one allowed decoder, check the size, decode fully, orient, convert colour."""
    with Image.open(io.BytesIO(data), formats=_PILLOW_FORMATS[fmt]) as opened:
        width, height = opened.size
        if width <= 0 or height <= 0:
            raise _rejected(
                name, "an image with pixels", f"{width}x{height}", "the image has no pixels"
            )
        if width * height > limits.max_pixels:
            raise _rejected(
                name,
                f"at most {limits.max_pixels} pixels",
                f"{width}x{height} = {width * height} pixels",
                f"the image is {width}x{height} = {width * height} pixels, over the limit of "
                f"{limits.max_pixels} (a decompression bomb or a very large photo)",
            )
        if getattr(opened, "n_frames", 1) > 1:
            notes.append("the file holds several images: only the first was analysed")
        opened.load()
        icc = opened.info.get("icc_profile")
        if opened.mode in {"RGB", "RGBA"} and _sixteen_bit_colour(opened, fmt, data):
            full = None if icc else _colour16(data, opened)
            if full is not None:
                orientation = _orientation(opened, notes)
                return _oriented(full, orientation), 16, False
            notes.append(
                f"16-bit colour {fmt.upper()}"
                + (" with a colour profile" if icc else "")
                + ": read at 8 bits per channel"
            )
        image: Image.Image = opened
        try:
            image = ImageOps.exif_transpose(opened)
        except _DECODER_ERRORS:
            notes.append("the EXIF block is unreadable: orientation not applied")
            image = opened
        return _to_array(image, icc if isinstance(icc, bytes) and icc else None, notes)


_EXIF_ORIENTATION: Final = 0x0112
_TIFF_BITS_PER_SAMPLE: Final = 258


def _sixteen_bit_colour(opened: Image.Image, fmt: str, data: bytes) -> bool:
    """Whether a file Pillow opened as 8-bit RGB(A) really holds 16 bits per channel.

    Pillow holds colour only at 8 bits per channel and silently keeps the high byte of 16-bit
    PNG and TIFF samples; the header says what the file holds (PNG: the IHDR bit depth, TIFF:
    BitsPerSample).
    """
    if fmt == "png":
        return len(data) > 24 and data[24] == 16
    if fmt == "tiff":
        bits = getattr(opened, "tag_v2", {}).get(_TIFF_BITS_PER_SAMPLE)
        return isinstance(bits, tuple) and len(bits) >= 3 and all(b == 16 for b in bits)
    return False


def _colour16(data: bytes, opened: Image.Image) -> NDArray[np.uint16] | None:
    """A 16-bit colour PNG or TIFF at full precision, or None to keep Pillow's 8 bits.

    A 16-bit file from a raw converter or a research data set carries linear light that
    ``analyze3d`` must keep (``contracts/imaging.md``). Only after Pillow has checked the header
    against the pixel cap and fully decoded the same bytes without error does OpenCV decode them
    again, from memory (never from a path). Its result is used only when it agrees with Pillow's
    on every pixel: the same size, 3 or 4 channels, 16 bits, and a high byte equal to Pillow's
    8-bit value (which is how Pillow reduces 16-bit samples). Anything else keeps Pillow's decode.
    """
    import cv2

    decoded = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_UNCHANGED)
    if decoded is None or decoded.dtype != np.uint16 or decoded.ndim != 3:
        return None
    height, width = decoded.shape[:2]
    if (width, height) != opened.size or decoded.shape[2] not in (3, 4):
        return None
    rgb: NDArray[np.uint16] = np.ascontiguousarray(decoded[:, :, 2::-1])
    pillow = np.asarray(opened.convert("RGB"), dtype=np.uint8)
    if not np.array_equal(pillow, (rgb >> 8).astype(np.uint8)):
        return None
    return rgb


def _orientation(opened: Image.Image, notes: list[str]) -> int:
    """The EXIF orientation (1-8) of an opened image; 1 when absent or unreadable."""
    try:
        value = opened.getexif().get(_EXIF_ORIENTATION, 1)
    except _DECODER_ERRORS:
        notes.append("the EXIF block is unreadable: orientation not applied")
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _oriented(pixels: NDArray[np.uint16], orientation: int) -> NDArray[np.uint16]:
    """``pixels`` turned upright as ``ImageOps.exif_transpose`` turns a Pillow image.

    Orientation 2 mirrors left-right, 3 turns 180 degrees, 4 mirrors top-bottom, 5 transposes,
    6 turns 90 degrees clockwise, 7 transverses, 8 turns 90 degrees counter-clockwise (the
    EXIF 2.3 ``Orientation`` tag, as Pillow reads it).
    """
    turned = {
        1: pixels,
        2: pixels[:, ::-1],
        3: pixels[::-1, ::-1],
        4: pixels[::-1],
        5: np.swapaxes(pixels, 0, 1),
        6: np.rot90(pixels, -1),
        7: np.rot90(pixels, 2).swapaxes(0, 1),
        8: np.rot90(pixels, 1),
    }[orientation]
    return np.ascontiguousarray(turned)


def _to_array(
    image: Image.Image, icc: bytes | None, notes: list[str]
) -> tuple[NDArray[np.uint8] | NDArray[np.uint16], int, bool]:
    mode = image.mode
    had_icc = icc is not None
    if mode in {"I;16", "I;16B", "I;16L", "I;16N"}:
        arr16 = np.asarray(image, dtype=np.uint16).copy()
        if had_icc:
            notes.append("16-bit grey image: its colour profile was not applied")
        return arr16, 16, had_icc
    if mode == "I":
        raw = np.asarray(image)
        if raw.size and (raw.min() < 0 or raw.max() > 65535):
            raise ValueError("32-bit integer samples outside the 16-bit range")
        return raw.astype(np.uint16), 16, had_icc
    if mode == "F":
        raise ValueError("floating-point images are not supported")
    if mode in {"LA", "PA", "RGBA", "RGBa", "La"}:
        notes.append("the transparency channel was dropped")
    if mode in {"1", "L", "LA", "La"}:
        grey = image.convert("L")
        return np.asarray(grey, dtype=np.uint8).copy(), 8, had_icc
    if mode == "P" and "transparency" in image.info:
        notes.append("the transparency channel was dropped")
    if icc is not None and mode in {"RGB", "RGBA", "RGBX", "CMYK", "P"}:
        src = image.convert("RGB") if mode in {"P", "RGBA", "RGBX"} else image
        try:
            profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            srgb = ImageCms.createProfile("sRGB")
            converted = ImageCms.profileToProfile(src, profile, srgb, outputMode="RGB")
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            notes.append("the embedded colour profile is unreadable: sRGB assumed")
            converted = None
        if converted is not None:
            return np.asarray(converted, dtype=np.uint8).copy(), 8, True
    elif icc is not None:
        notes.append(f"colour profile not applied to a {mode} image: sRGB assumed")
    if mode == "CMYK" and icc is None:
        notes.append("CMYK image without a colour profile: converted naively to RGB")
    rgb = image.convert("RGB")
    return np.asarray(rgb, dtype=np.uint8).copy(), 8, had_icc
