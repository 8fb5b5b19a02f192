"""Broken and hostile image files, made by code, for fuzzing the intake gate.

:func:`hostile_corpus` returns named byte strings that the gate must *reject* with
:class:`~scarwise.errors.PhotoRejected` (never another exception): empty and wrong-magic files,
truncations of every supported format, headers announcing huge dimensions (JPEG SOF, PNG IHDR,
TIFF IFD, WebP VP8X), real decompression bombs (a small PNG or TIFF that inflates to over 64 MP),
PNG chunks that inflate to huge text or ICC blobs, broken CRCs and TIFF IFD loops.
:func:`valid_samples` returns small valid files of every format, the seeds for mutation fuzzing.
:func:`fuzz_one` is the one harness; pytest runs it over the corpus and hypothesis runs it over
mutations of the seeds (``docs/fuzzing.md``).
"""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

from scarwise.errors import PhotoRejected, UploadTooLarge
from scarwise.intake import IntakeLimits, Photo, read_photo

__all__ = ["fuzz_one", "hostile_corpus", "valid_samples", "write_corpus"]


def _pixels(width: int = 48, height: int = 32, seed: int = 0) -> Image.Image:
    rng = np.random.default_rng(seed)
    base = np.linspace(40, 220, width, dtype=np.float64)[None, :, None]
    arr = base + rng.normal(0, 12, (height, width, 3))
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def _encode(image: Image.Image, fmt: str, **params: object) -> bytes:
    out = io.BytesIO()
    if fmt == "HEIF":
        import pillow_heif

        pillow_heif.register_heif_opener()
    image.save(out, format=fmt, **params)
    return out.getvalue()


def valid_samples() -> dict[str, bytes]:
    """Small valid files of every accepted format (mutation seeds; all must be accepted)."""
    img = _pixels()
    grey16 = Image.fromarray(np.arange(32 * 48, dtype=np.uint16).reshape(32, 48) * 40)
    two_pages = io.BytesIO()
    img.save(two_pages, format="TIFF", save_all=True, append_images=[_pixels(seed=1)])
    return {
        "small.jpg": _encode(img, "JPEG", quality=90),
        "small.png": _encode(img, "PNG"),
        "grey16.png": _encode(grey16, "PNG"),
        "small.tif": _encode(img, "TIFF"),
        "deflate.tif": _encode(img, "TIFF", compression="tiff_adobe_deflate"),
        "two-pages.tif": two_pages.getvalue(),
        "small.webp": _encode(img, "WEBP", lossless=True),
        "small.heic": _encode(img, "HEIF", quality=80),
        "palette.png": _encode(img.convert("P"), "PNG"),
        "rgba.png": _encode(img.convert("RGBA"), "PNG"),
    }


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _png(
    width: int, height: int, idat: bytes, *, extra: bytes = b"", depth: int = 8, colour: int = 0
) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + extra
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def _png_bomb(width: int, height: int) -> bytes:
    """A grey PNG of ``width x height`` zero pixels; zlib makes it about 1000x smaller."""
    comp = zlib.compressobj(9)
    row = b"\x00" * (width + 1)
    parts = [comp.compress(row) for _ in range(height)]
    parts.append(comp.flush())
    return _png(width, height, b"".join(parts))


def _tiff(
    width: int, height: int, *, strip: bytes, compression: int = 1, loop: bool = False
) -> bytes:
    """A minimal little-endian grey TIFF with one strip (``loop``: the next-IFD offset points back)."""
    entries = [
        (256, 4, 1, width),  # ImageWidth (LONG)
        (257, 4, 1, height),  # ImageLength
        (258, 3, 1, 8),  # BitsPerSample
        (259, 3, 1, compression),  # Compression
        (262, 3, 1, 1),  # Photometric: BlackIsZero
        (273, 4, 1, 0),  # StripOffsets (patched below)
        (277, 3, 1, 1),  # SamplesPerPixel
        (278, 4, 1, height),  # RowsPerStrip
        (279, 4, 1, len(strip)),  # StripByteCounts
    ]
    ifd_offset = 8
    ifd_size = 2 + 12 * len(entries) + 4
    data_offset = ifd_offset + ifd_size
    out = bytearray(b"II*\x00" + struct.pack("<I", ifd_offset))
    out += struct.pack("<H", len(entries))
    for tag, typ, count, value in entries:
        if tag == 273:
            value = data_offset
        if typ == 3:
            out += struct.pack("<HHIHH", tag, typ, count, value, 0)
        else:
            out += struct.pack("<HHII", tag, typ, count, value)
    out += struct.pack("<I", ifd_offset if loop else 0)
    out += strip
    return bytes(out)


def _jpeg_with_size(jpeg: bytes, width: int, height: int) -> bytes:
    """Rewrite the frame size in a JPEG's SOF0 marker."""
    i = jpeg.index(b"\xff\xc0")
    return jpeg[: i + 5] + struct.pack(">HH", height, width) + jpeg[i + 9 :]


def _webp_vp8x(width: int, height: int) -> bytes:
    """A WebP extended header (VP8X) announcing a huge canvas, with no image data."""
    body = (
        b"\x00\x00\x00\x00" + (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    )
    chunk = b"VP8X" + struct.pack("<I", len(body)) + body
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk


def hostile_corpus() -> dict[str, bytes]:
    """Named files that the gate must reject with :class:`~scarwise.errors.PhotoRejected`."""
    seeds = valid_samples()
    img = _pixels()
    corpus: dict[str, bytes] = {
        "empty.jpg": b"",
        "text.jpg": b"hello, this is not an image\n",
        "html.png": b"<html><script>alert(1)</script></html>",
        "pdf.heic": b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n",
        "zip.tif": b"PK\x03\x04" + b"\x00" * 40,
        "gif.jpg": _encode(img, "GIF"),
        "bmp.png": _encode(img, "BMP"),
        "magic-only.jpg": b"\xff\xd8\xff",
        "magic-only.png": b"\x89PNG\r\n\x1a\n",
        "magic-only.tif": b"II*\x00",
        "magic-only.webp": b"RIFF\x00\x00\x00\x00WEBP",
        "ftyp-only.heic": b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic",
        "png-magic-then-noise.png": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
        "jpeg-magic-then-noise.jpg": b"\xff\xd8\xff\xe0" + bytes(range(255, -1, -1)) * 4,
        "png-broken-crc.png": seeds["small.png"][:29]
        + b"\x00\x00\x00\x00"
        + seeds["small.png"][33:],
        "png-zero-width.png": _png(0, 10, zlib.compress(b"\x00" * 11)),
        "png-huge-ihdr.png": _png(100_000, 100_000, zlib.compress(b"\x00" * 101)),
        "png-bomb-81mp.png": _png_bomb(9000, 9000),
        "png-bad-bit-depth.png": _png(4, 4, zlib.compress(b"\x00" * 20), depth=7),
        "png-ztxt-bomb.png": _png(
            4,
            4,
            zlib.compress(b"\x00" * 20),
            extra=_png_chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(b"A" * 80_000_000)),
        ),
        "png-iccp-bomb.png": _png(
            4,
            4,
            zlib.compress(b"\x00" * 20),
            extra=_png_chunk(b"iCCP", b"icc\x00\x00" + zlib.compress(b"\x00" * 80_000_000)),
        ),
        "jpeg-huge-sof.jpg": _jpeg_with_size(seeds["small.jpg"], 65_000, 65_000),
        "jpeg-zero-sof.jpg": _jpeg_with_size(seeds["small.jpg"], 0, 0),
        "tiff-huge-dims.tif": _tiff(1_000_000, 1_000_000, strip=b"\x00" * 16),
        "tiff-bomb-100mp.tif": _tiff(
            10_000, 10_000, strip=zlib.compress(b"\x00" * 100_000_000), compression=8
        ),
        "tiff-strip-outside-file.tif": _tiff(64, 64, strip=b"\x00" * 4096)[:-4000],
        "tiff-ifd-offset-outside-file.tif": b"II*\x00\xff\xff\xff\x7f" + b"\x00" * 32,
        "webp-huge-canvas.webp": _webp_vp8x(16_000_000, 16_000_000),
    }
    for name, blob in seeds.items():
        stem, ext = name.rsplit(".", 1)
        corpus[f"{stem}-truncated-half.{ext}"] = blob[: len(blob) // 2]
        corpus[f"{stem}-truncated-20.{ext}"] = blob[:20]
    return corpus


def write_corpus(directory: str | Path) -> list[Path]:
    """Write :func:`hostile_corpus` into ``directory`` (created if needed); returns the paths."""
    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, blob in hostile_corpus().items():
        path = root / name
        path.write_bytes(blob)
        paths.append(path)
    return paths


def fuzz_one(data: bytes, limits: IntakeLimits | None = None) -> Photo | None:
    """The fuzz harness: the gate must return a :class:`Photo` or raise a gate error, nothing else.

    Returns the photo when accepted, None when rejected; any other exception propagates (a bug).
    """
    try:
        photo = read_photo(data, limits=limits or IntakeLimits(max_pixels=4_000_000), name="fuzz")
    except (PhotoRejected, UploadTooLarge):
        return None
    assert photo.pixels.dtype in (np.uint8, np.uint16)
    assert photo.pixels.ndim in (2, 3)
    assert photo.bit_depth in (8, 16)
    return photo
