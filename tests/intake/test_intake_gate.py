"""The intake gate: hostile files rejected with PhotoRejected, valid ones decoded and cleaned."""

from __future__ import annotations

import io
import os
import struct
import zlib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from scarwise.config import Settings
from scarwise.errors import NotFound, PhotoRejected, UploadTooLarge, exit_code_for
from scarwise.intake import IntakeLimits, detect_format, read_photo, read_photo_file
from scarwise.testing.hostile_images import fuzz_one, hostile_corpus, valid_samples, write_corpus

# The long fuzz run (docs/fuzzing.md) raises these through the environment.
FUZZ_EXAMPLES = int(os.environ.get("SCARWISE_FUZZ_EXAMPLES", "150"))
FUZZ_RANDOM = os.environ.get("SCARWISE_FUZZ_RANDOM") == "1"  # random seeds instead of derandomized

CORPUS = hostile_corpus()
SEEDS = valid_samples()


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_every_hostile_file_is_rejected_with_exit_3(name: str) -> None:
    with pytest.raises(PhotoRejected) as info:
        read_photo(CORPUS[name], name=name)
    assert info.value.message.startswith(f"{name}: ")
    assert exit_code_for(info.value) == 3
    assert info.value.problems and info.value.problems[0].field == name


def test_corpus_written_to_disk_is_rejected_through_read_photo_file(tmp_path) -> None:
    paths = write_corpus(tmp_path / "bad_images")
    assert len(paths) == len(CORPUS) >= 40
    for path in paths:
        with pytest.raises(PhotoRejected):
            read_photo_file(path)


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_valid_samples_are_accepted(name: str) -> None:
    photo = read_photo(SEEDS[name], name=name)
    assert photo.size_px == (48, 32)
    expected = {"jpg": "jpeg", "png": "png", "tif": "tiff", "webp": "webp", "heic": "heif"}
    assert photo.format == expected[name.rsplit(".", 1)[1]]
    assert not photo.pixels.flags.writeable


def test_reasons_are_specific() -> None:
    def message(blob: bytes, **kw: object) -> str:
        with pytest.raises(PhotoRejected) as info:
            read_photo(blob, name="x.jpg", **kw)  # type: ignore[arg-type]
        return info.value.message

    assert "empty (0 bytes)" in message(b"")
    assert "not a supported image" in message(CORPUS["gif.jpg"])
    assert "truncated or malformed" in message(CORPUS["small-truncated-half.jpg"])
    assert "decompression bomb" in message(CORPUS["png-huge-ihdr.png"])
    assert "over the limit of 64000000" in message(CORPUS["png-bomb-81mp.png"])
    assert "over the limit of 1000" in message(
        SEEDS["small.png"], limits=IntakeLimits(max_pixels=1000)
    )


def test_pillow_bomb_warning_band_is_an_error_even_with_a_high_own_limit() -> None:
    # 9500 x 9500 = 90.25 MP lies between Pillow's limit (89.5 MP) and twice it, where Pillow
    # only warns; with our own cap raised above it, the warning must still reject the file.
    blob = _png_zero_bomb(9500, 9500)
    with pytest.raises(PhotoRejected, match="decompression bomb"):
        read_photo(blob, limits=IntakeLimits(max_pixels=200_000_000))


def test_byte_cap_is_upload_too_large_before_parsing() -> None:
    with pytest.raises(UploadTooLarge) as info:
        read_photo(SEEDS["small.png"], limits=IntakeLimits(max_bytes=100), name="big.png")
    assert info.value.http_status == 413 and exit_code_for(info.value) == 3
    assert "over the limit of 100 bytes" in info.value.message


def test_file_size_checked_before_reading(tmp_path) -> None:
    path = tmp_path / "huge.jpg"
    path.write_bytes(b"\xff\xd8\xff" + b"\x00" * 5000)
    with pytest.raises(UploadTooLarge):
        read_photo_file(path, limits=IntakeLimits(max_bytes=1000))


def test_missing_file_is_not_found_and_directory_is_rejected(tmp_path) -> None:
    with pytest.raises(NotFound):
        read_photo_file(tmp_path / "nope.jpg")
    with pytest.raises(PhotoRejected, match="not a regular file"):
        read_photo_file(tmp_path)


def test_limits_from_settings() -> None:
    limits = IntakeLimits.from_settings(Settings(max_upload_bytes=1234, max_image_pixels=5678))
    assert limits == IntakeLimits(max_bytes=1234, max_pixels=5678)


def test_format_is_detected_from_content_not_name() -> None:
    assert detect_format(SEEDS["small.png"]) == "png"
    assert read_photo(SEEDS["small.png"], name="holiday.jpg").format == "png"
    assert detect_format(SEEDS["small.heic"]) == "heif"
    assert detect_format(b"GIF89a" + b"\x00" * 20) is None


def test_exif_orientation_applied_and_gps_stripped() -> None:
    img = Image.fromarray(np.zeros((20, 60, 3), dtype=np.uint8))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(0x8825)
    gps[2] = (51.0, 30.0, 0.0)  # GPSLatitude
    gps[1] = "N"
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif.tobytes(), quality=95)
    raw = out.getvalue()
    assert b"PhoneMaker" in raw
    photo = read_photo(raw)
    assert photo.size_px == (20, 60)  # rotated
    png = photo.to_png_bytes()
    assert b"PhoneMaker" not in png and b"eXIf" not in png and b"Exif" not in png
    assert b"tEXt" not in png and b"iTXt" not in png and b"zTXt" not in png
    reopened = Image.open(io.BytesIO(png))
    assert not reopened.getexif() and set(reopened.info) <= {"dpi"}


def test_heic_orientation_applied() -> None:
    import pillow_heif

    pillow_heif.register_heif_opener()
    img = Image.fromarray(np.full((16, 48, 3), 128, dtype=np.uint8))
    exif = Image.Exif()
    exif[0x0112] = 6
    out = io.BytesIO()
    img.save(out, format="HEIF", exif=exif.tobytes(), quality=90)
    assert read_photo(out.getvalue()).size_px == (16, 48)


def test_polyglot_trailer_is_gone_after_reencode() -> None:
    blob = SEEDS["small.jpg"] + b"PK\x03\x04<html>evil</html>"
    photo = read_photo(blob)
    assert b"evil" not in photo.to_png_bytes()
    assert photo.sha256_original != read_photo(SEEDS["small.jpg"]).sha256_original


def test_icc_profile_is_applied_and_absence_is_warned() -> None:
    img = Image.fromarray(np.full((8, 8, 3), (200, 30, 30), dtype=np.uint8))
    out = io.BytesIO()
    img.save(out, format="PNG", icc_profile=_matrix_icc(swap_red_green=True))
    photo = read_photo(out.getvalue())
    assert photo.had_icc_profile
    assert not any("colour profile" in w for w in photo.warnings)
    r, g, _ = photo.pixels[0, 0].astype(int)
    assert g > 150 and r < 120  # red in the swapped profile is sRGB green-ish
    plain = read_photo(SEEDS["small.png"])
    assert not plain.had_icc_profile
    assert "no embedded colour profile: sRGB assumed" in plain.warnings


def test_sixteen_bit_grey_round_trips_losslessly() -> None:
    photo = read_photo(SEEDS["grey16.png"])
    assert photo.bit_depth == 16 and photo.pixels.dtype == np.uint16
    again = read_photo(photo.to_png_bytes())
    assert again.bit_depth == 16
    np.testing.assert_array_equal(again.pixels, photo.pixels)


def test_sixteen_bit_rgb_array_writes_sixteen_bit_png() -> None:
    from scarwise.intake import Photo

    arr = (np.arange(4 * 5 * 3, dtype=np.uint16).reshape(4, 5, 3) * 1000).astype(np.uint16)
    photo = Photo(arr, 16, "png", False, "0" * 64)
    png = photo.to_png_bytes()
    assert png[24] == 16 and png[25] == 2  # IHDR: bit depth 16, colour type RGB


SEED_LIST = [SEEDS[k] for k in sorted(SEEDS)]


@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    derandomize=not FUZZ_RANDOM,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    seed=st.sampled_from(SEED_LIST),
    cut=st.integers(min_value=0, max_value=10_000),
    flips=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=8),
)
def test_mutated_files_never_raise_anything_but_gate_errors(
    seed: bytes, cut: int, flips: list[tuple[int, int]]
) -> None:
    data = bytearray(seed[: max(1, len(seed) - cut)] if cut % 3 == 0 else seed)
    for pos, value in flips:
        data[pos % len(data)] = value
    fuzz_one(bytes(data))


@settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=not FUZZ_RANDOM)
@given(st.binary(max_size=2048))
def test_random_bytes_never_raise_anything_but_gate_errors(data: bytes) -> None:
    assert fuzz_one(data) is None or detect_format(data) is not None


# --- helpers ----------------------------------------------------------------------------------


def _png_zero_bomb(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    comp = zlib.compressobj(9)
    row = b"\x00" * (width + 1)
    idat = b"".join(comp.compress(row) for _ in range(height)) + comp.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def _matrix_icc(*, swap_red_green: bool) -> bytes:
    """A minimal ICC v2 RGB matrix/TRC display profile with sRGB's D50 colorants (optionally
    with red and green swapped, so applying it visibly changes colours) and gamma 2.2."""

    def s15(v: float) -> bytes:
        return struct.pack(">i", round(v * 65536))

    def xyz(x: float, y: float, z: float) -> bytes:
        return b"XYZ \x00\x00\x00\x00" + s15(x) + s15(y) + s15(z)

    red, green, blue = (0.4361, 0.2225, 0.0139), (0.3851, 0.7169, 0.0971), (0.1431, 0.0606, 0.7141)
    if swap_red_green:
        red, green = green, red
    desc_text = b"test profile\x00"
    desc = (
        b"desc\x00\x00\x00\x00"
        + struct.pack(">I", len(desc_text))
        + desc_text
        + b"\x00" * 8
        + b"\x00\x00\x00"
        + b"\x00" * 67
    )
    curv = (
        b"curv\x00\x00\x00\x00"
        + struct.pack(">I", 1)
        + struct.pack(">H", round(2.2 * 256))
        + b"\x00\x00"
    )
    tags = [
        (b"desc", desc),
        (b"wtpt", xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", xyz(*red)),
        (b"gXYZ", xyz(*green)),
        (b"bXYZ", xyz(*blue)),
        (b"rTRC", curv),
        (b"gTRC", curv),
        (b"bTRC", curv),
        (b"cprt", b"text\x00\x00\x00\x00none\x00\x00\x00\x00"),
    ]
    offset = 128 + 4 + 12 * len(tags)
    table, body = b"", b""
    for sig, data in tags:
        while (offset + len(body)) % 4:
            body += b"\x00"
        table += sig + struct.pack(">II", offset + len(body), len(data))
        body += data
    size = offset + len(body)
    header = (
        struct.pack(">I", size)
        + b"lcms"
        + b"\x02\x10\x00\x00"
        + b"mntrRGB XYZ "
        + b"\x00" * 12
        + b"acsp"
        + b"APPL"
        + b"\x00" * 4
        + b"\x00" * 8
        + b"\x00" * 8
        + b"\x00" * 4
        + s15(0.9642)
        + s15(1.0)
        + s15(0.8249)
        + b"lcms"
        + b"\x00" * 16
        + b"\x00" * 28
    )
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + body


def test_sixteen_bit_colour_png_keeps_full_precision() -> None:
    """16-bit colour PNGs (linear light for analyze3d) are not reduced to 8 bits."""
    import cv2

    rng = np.random.default_rng(7)
    rgb = rng.integers(0, 65536, size=(40, 60, 3), dtype=np.uint16)
    ok, buf = cv2.imencode(".png", rgb[:, :, ::-1])
    assert ok
    photo = read_photo(buf.tobytes(), name="linear.png")
    assert (photo.bit_depth, photo.pixels.dtype, photo.pixels.shape) == (16, np.uint16, (40, 60, 3))
    assert np.array_equal(photo.pixels, rgb)
    assert not photo.pixels.flags.writeable
    assert not any("8 bits" in w for w in photo.warnings)
    again = read_photo(photo.to_png_bytes(), name="stored.png")
    assert np.array_equal(again.pixels, rgb)


def test_sixteen_bit_colour_png_with_alpha_drops_alpha() -> None:
    import cv2

    rgba = np.zeros((10, 12, 4), dtype=np.uint16)
    rgba[..., 0], rgba[..., 1], rgba[..., 2], rgba[..., 3] = 1000, 20000, 60000, 65535
    ok, buf = cv2.imencode(".png", rgba[:, :, [2, 1, 0, 3]])
    assert ok
    photo = read_photo(buf.tobytes(), name="rgba16.png")
    assert photo.pixels.shape == (10, 12, 3)
    assert photo.pixels[0, 0].tolist() == [1000, 20000, 60000]


def _tiff16_rgb(rgb: np.ndarray, orientation: int = 1) -> bytes:
    """An uncompressed little-endian 16-bit RGB TIFF with an Orientation tag (Pillow cannot
    write one)."""
    height, width, _ = rgb.shape
    pixels = rgb.astype("<u2").tobytes()
    entries = [
        (256, 3, 1, width),  # ImageWidth
        (257, 3, 1, height),  # ImageLength
        (258, 3, 3, None),  # BitsPerSample 16,16,16 (at an offset)
        (259, 3, 1, 1),  # no compression
        (262, 3, 1, 2),  # RGB
        (273, 4, 1, None),  # StripOffsets
        (274, 3, 1, orientation),
        (277, 3, 1, 3),  # SamplesPerPixel
        (278, 3, 1, height),  # RowsPerStrip
        (279, 4, 1, len(pixels)),  # StripByteCounts
        (284, 3, 1, 1),  # chunky
    ]
    ifd_size = 2 + 12 * len(entries) + 4
    bits_at = 8 + ifd_size
    data_at = bits_at + 6
    out = bytearray(b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", len(entries)))
    for tag, kind, count, value in entries:
        if tag == 258:
            value = bits_at
            out += struct.pack("<HHII", tag, kind, count, value)
            continue
        if tag == 273:
            value = data_at
        if kind == 3:
            out += struct.pack("<HHIHH", tag, kind, count, value, 0)
        else:
            out += struct.pack("<HHII", tag, kind, count, value)
    out += struct.pack("<I", 0)
    out += struct.pack("<HHH", 16, 16, 16)
    return bytes(out) + pixels


def _png_with_orientation(png: bytes, orientation: int) -> bytes:
    """``png`` with an eXIf chunk carrying ``orientation``, inserted before the first IDAT."""
    exif = (
        b"II*\x00" + struct.pack("<IH", 8, 1) + struct.pack("<HHIHH", 0x0112, 3, 1, orientation, 0)
    )
    exif += struct.pack("<I", 0)
    chunk = struct.pack(">I", len(exif)) + b"eXIf" + exif
    chunk += struct.pack(">I", zlib.crc32(b"eXIf" + exif) & 0xFFFFFFFF)
    at = png.index(b"IDAT") - 4
    return png[:at] + chunk + png[at:]


def test_sixteen_bit_colour_tiff_keeps_full_precision() -> None:
    """16-bit RGB TIFF (e.g. a light-stage capture) is not reduced to 8 bits."""
    rng = np.random.default_rng(8)
    rgb = rng.integers(0, 65536, size=(30, 50, 3), dtype=np.uint16)
    photo = read_photo(_tiff16_rgb(rgb), name="capture.tif")
    assert (photo.format, photo.bit_depth, photo.pixels.dtype) == ("tiff", 16, np.uint16)
    assert np.array_equal(photo.pixels, rgb)
    assert not any("8 bits" in w for w in photo.warnings)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_sixteen_bit_colour_is_turned_upright_like_pillow(orientation: int) -> None:
    """EXIF orientation is applied to 16-bit colour too, exactly as Pillow applies it."""
    import cv2

    rng = np.random.default_rng(orientation)
    rgb = rng.integers(0, 65536, size=(6, 9, 3), dtype=np.uint16)
    high = Image.fromarray((rgb >> 8).astype(np.uint8))
    expected8 = np.asarray(_pillow_upright(high, orientation), dtype=np.uint8)
    ok, buf = cv2.imencode(".png", rgb[:, :, ::-1])
    assert ok
    for name, blob in (
        ("o.png", _png_with_orientation(buf.tobytes(), orientation)),
        ("o.tif", _tiff16_rgb(rgb, orientation)),
    ):
        photo = read_photo(blob, name=name)
        assert photo.bit_depth == 16, name
        assert np.array_equal((photo.pixels >> 8).astype(np.uint8), expected8), name
        assert photo.pixels.shape[:2] == expected8.shape[:2]


def _pillow_upright(image: Image.Image, orientation: int) -> Image.Image:
    """Pillow's exif_transpose of ``image`` tagged with ``orientation``."""
    from PIL import ImageOps

    buf = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = orientation
    image.save(buf, format="PNG", exif=exif.tobytes())
    with Image.open(io.BytesIO(buf.getvalue())) as again:
        return ImageOps.exif_transpose(again)


@pytest.mark.parametrize("ext", [".png", ".tiff"])
def test_sixteen_bit_grey_keeps_full_precision(ext: str) -> None:
    import cv2

    rng = np.random.default_rng(9)
    grey = rng.integers(0, 65536, size=(20, 30), dtype=np.uint16)
    ok, buf = cv2.imencode(ext, grey)
    assert ok
    photo = read_photo(buf.tobytes(), name=f"grey{ext}")
    assert (photo.bit_depth, photo.pixels.dtype) == (16, np.uint16)
    assert np.array_equal(photo.pixels, grey)
