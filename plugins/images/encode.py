"""Pillow's part: look at a picture, publish a clean copy of it, and make its smaller variants.

Runs in worker processes; everything it returns or raises pickles. Each picture's results go in
a folder of the cache named by the picture's bytes and the variant settings, with `plan.json`
written last: a folder with a plan is complete, and a build that finds it encodes nothing.
"""

import hashlib
import io
import json
import os
import tempfile
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError, features

from .clean import STRIPPERS, NotClean, without_metadata

PLAN_FILE = "plan.json"
# The formats variants are made in, best first, with their Pillow options; AVIF only where
# Pillow was built with it.
# Encoder speeds are the fastest whose files are within a few per cent of the slower settings'
# (measured on 2-4 MP photos: AVIF speed 9 is 3x faster than 7 for 2% more bytes).
VARIANT_FORMATS = {
    "avif": ("AVIF", "image/avif", {"quality": 55, "speed": 9}),
    "webp": ("WEBP", "image/webp", {"quality": 80, "method": 1}),
}
# Formats whose stills get variants; others (and animations) are published as they are.
RESIZABLE = {"JPEG", "PNG", "WEBP", "AVIF", "GIF"}
# A picture re-encoded because its orientation had to be applied to its pixels.
REENCODE_OPTIONS = {
    "JPEG": {"quality": 90, "optimize": True},
    "PNG": {"optimize": True},
    "WEBP": {"quality": 90},
    "AVIF": {"quality": 90},
}
HASH_LENGTH = 10
ORIENTATION_TAG = 0x0112


class ImageProblem(Exception):
    """A file that cannot be published as a picture, with what is wrong in words."""


@dataclass
class Variant:
    """One encoded variant: its file in the cache folder, size, type and bytes."""

    file: str
    width: int
    height: int
    mime: str
    size: int


@dataclass
class Plan:
    """What the build publishes for one picture."""

    format: str
    width: int
    height: int
    # The cleaned original's file in the cache folder, or "" when the source is published.
    original: str = ""
    animated: bool = False
    variants: list[Variant] = field(default_factory=list)

    @classmethod
    def load(cls, folder: Path) -> "Plan | None":
        """The plan kept in a cache folder, or None when the picture is not encoded yet."""
        try:
            data = json.loads((folder / PLAN_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return cls.from_data(data)

    @classmethod
    def from_data(cls, data: dict) -> "Plan":
        """The plan that asdict gave data for."""
        variants = [Variant(**variant) for variant in data.get("variants", [])]
        return cls(**{**data, "variants": variants})


def available_formats(wanted: list[str]) -> list[str]:
    """The variant formats wanted that this Pillow can write."""
    return [name for name in wanted if name in VARIANT_FORMATS and features.check(name)]


def widths_for(width: int, wanted: list[int]) -> list[int]:
    """The widths to make: each wanted one below the picture's, and its own up to the largest."""
    own = {width} if width <= max(wanted) else set()
    return sorted({w for w in wanted if w < width} | own)


def opened(path: str, max_pixels: int) -> Image.Image:
    """The picture at path, its size checked before any pixel is decoded."""
    try:
        with warnings.catch_warnings():
            # The size is checked here, against our own limit; Pillow's warning would repeat it.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(path)
    except UnidentifiedImageError:
        raise ImageProblem("is not a picture Pillow can read") from None
    except Image.DecompressionBombError as error:
        raise ImageProblem(f"is too large to decode safely ({error})") from None
    except OSError as error:
        raise ImageProblem(f"cannot be read ({error})") from None
    width, height = image.size
    if width * height > max_pixels:
        image.close()
        raise ImageProblem(
            f"is {width}x{height} = {width * height / 1e6:.0f} megapixels, over the limit of "
            f"{max_pixels / 1e6:.0f} (IMAGES_MAX_PIXELS): refused as a possible decompression bomb"
        )
    return image


def write_into(folder: Path, name: str, data: bytes) -> None:
    """Write one file of the cache folder."""
    with tempfile.NamedTemporaryFile(dir=folder, prefix=".part.", delete=False) as file:
        file.write(data)
    # Published as it is (a hard link), so readable by all, as any file the build writes.
    os.chmod(file.name, 0o644)
    os.replace(file.name, folder / name)


def content_name(stem: str, data: bytes, suffix: str) -> str:
    """A file name carrying a hash of the file's bytes."""
    return f"{stem}.{hashlib.sha256(data).hexdigest()[:HASH_LENGTH]}.{suffix}"


def encoded(image: Image.Image, image_format: str, options: dict, icc: bytes | None) -> bytes:
    """The picture encoded, with its colour profile and no other metadata."""
    buffer = io.BytesIO()
    extra = {"icc_profile": icc} if icc else {}
    image.save(buffer, image_format, exif=b"", **options, **extra)
    return buffer.getvalue()


def published_original(source: bytes, image: Image.Image, oriented: Image.Image) -> bytes:
    """The original as published: metadata stripped; re-encoded only to apply its orientation."""
    image_format = image.format or ""
    orientation = image.getexif().get(ORIENTATION_TAG, 1)
    icc = image.info.get("icc_profile")
    # Formats kept whole by the byte-level cleaner lose their metadata only by re-encoding.
    kept_whole = image_format not in STRIPPERS and (image.info.get("exif") or image.info.get("xmp"))
    if (orientation != 1 or kept_whole) and image_format in REENCODE_OPTIONS:
        return encoded(oriented, image_format, REENCODE_OPTIONS[image_format], icc)
    try:
        return without_metadata(source, image_format)
    except NotClean as error:
        raise ImageProblem(f"is a damaged {image_format} file ({error})") from None


def for_encoding(image: Image.Image) -> Image.Image:
    """The picture in a mode WebP and AVIF take: RGB, or RGBA when it has transparency."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    wanted = "RGBA" if has_alpha else "RGB"
    return image if image.mode == wanted else image.convert(wanted)


def shrunk(image: Image.Image, width: int, height: int) -> Image.Image:
    """The picture at a smaller size, sharp (Lanczos), reduced in steps when much smaller."""
    return image.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)


def encode_picture(path: str, folder: str, widths: list[int], formats: list[str], max_pixels: int):
    """Make the clean original and the variants of one picture in folder; return its plan."""
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    source = Path(path).read_bytes()
    image = opened(path, max_pixels)
    with image:
        animated = getattr(image, "n_frames", 1) > 1
        image_format = image.format or ""
        if animated or image_format not in RESIZABLE:
            plan = Plan(image_format, *image.size, animated=animated)
            return finished(target, plan)
        try:
            image.load()
            oriented = ImageOps.exif_transpose(image)
        except (OSError, SyntaxError, ValueError) as error:
            raise ImageProblem(f"is damaged or truncated ({error})") from None
        icc = image.info.get("icc_profile")
        plan = Plan(image_format, *oriented.size)
        original = published_original(source, image, oriented)
        if original != source:
            plan.original = content_name("original", original, Path(path).suffix.lstrip("."))
            write_into(target, plan.original, original)
        ceiling = len(original)
        # Largest first, each made from the one before: smaller sources resize faster.
        resized = for_encoding(oriented)
        for width in reversed(widths_for(oriented.width, widths)):
            height = max(1, round(oriented.height * width / oriented.width))
            if width != resized.width:
                resized = shrunk(resized, width, height)
            for name in formats:
                pillow_format, mime, options = VARIANT_FORMATS[name]
                data = encoded(resized, pillow_format, options, icc)
                if len(data) >= ceiling:
                    continue  # never publish a variant heavier than the picture itself
                file = content_name(f"{width}w", data, name)
                write_into(target, file, data)
                plan.variants.append(Variant(file, width, height, mime, len(data)))
    plan.variants.sort(key=lambda variant: (variant.mime, variant.width))
    return finished(target, plan)


def finished(folder: Path, plan: Plan) -> Plan:
    """Keep the plan in its folder, marking the folder complete."""
    write_into(folder, PLAN_FILE, json.dumps(asdict(plan), sort_keys=True).encode("utf-8"))
    return plan
