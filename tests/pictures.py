"""Real picture files made with Pillow for the tests, some carrying camera and GPS metadata."""

import io

from PIL import Image, ImageCms

ORIENTATION, GPS_INFO, BODY_SERIAL = 0x0112, 0x8825, 0xA431
SERIAL = "CAMERA-SERIAL-4711"


def camera_exif(orientation: int = 1) -> Image.Exif:
    """EXIF as a phone writes it: where the picture was taken, the camera's serial number."""
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[BODY_SERIAL] = SERIAL
    exif[GPS_INFO] = {1: "N", 2: (52.0, 30.0, 12.0), 3: "E", 4: (13.0, 24.0, 36.0)}
    return exif


def fractal(width: int, height: int) -> Image.Image:
    """A picture with detail in it (a flat colour compresses to nothing in any format)."""
    grey = Image.effect_mandelbrot((width, height), (-2.2, -1.2, 1.0, 1.2), 64)
    return Image.merge(
        "RGB", (grey, grey.rotate(180), grey.transpose(Image.Transpose.FLIP_LEFT_RIGHT))
    )


def photo(width: int = 2000, height: int = 1500, orientation: int = 1, fmt: str = "JPEG") -> bytes:
    """A photo with GPS position, camera serial, orientation and an sRGB colour profile."""
    buffer = io.BytesIO()
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    options = {"quality": 90} if fmt in ("JPEG", "WEBP") else {}
    fractal(width, height).save(
        buffer, fmt, exif=camera_exif(orientation), icc_profile=profile, **options
    )
    return buffer.getvalue()


def animation(width: int = 120, height: int = 80) -> bytes:
    """An animated GIF of three frames."""
    frames = [Image.new("RGB", (width, height), colour) for colour in ("red", "green", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return buffer.getvalue()


def huge_png(width: int, height: int) -> bytes:
    """A PNG of many pixels in few bytes, as a decompression bomb is."""
    buffer = io.BytesIO()
    Image.new("1", (width, height)).save(buffer, "PNG")
    return buffer.getvalue()


def carries_camera_metadata(data: bytes) -> bool:
    """Whether a published file still says where it was taken or by which camera."""
    if SERIAL.encode() in data:
        return True
    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        return bool(exif.get_ifd(GPS_INFO)) or BODY_SERIAL in exif
