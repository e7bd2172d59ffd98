"""Strip what a picture file says about its camera and place, keeping its pixels byte for byte.

JPEG, PNG and WebP keep, besides the picture, only what shows it right: the colour profile
(and JFIF/Adobe colour markers). EXIF (GPS position, camera serial), XMP, IPTC and comments go.
"""

import struct

# JPEG segments kept before the scan: JFIF (APP0), the ICC profile (APP2), Adobe (APP14).
JPEG_KEPT_APPS = {0xE0, 0xE2, 0xEE}
JPEG_COMMENT = 0xFE
JPEG_START_OF_SCAN = 0xDA
# PNG chunks of text, EXIF and timestamps.
PNG_DROPPED = {b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME"}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# WebP chunks of metadata, and their flags in the extended header.
WEBP_DROPPED = {b"EXIF", b"XMP "}
WEBP_EXIF_FLAG, WEBP_XMP_FLAG = 0x08, 0x04


class NotClean(ValueError):
    """The file's structure is not what its format says."""


def jpeg_without_metadata(data: bytes) -> bytes:
    """A JPEG's bytes without its APPn metadata segments and comments."""
    if data[:2] != b"\xff\xd8":
        raise NotClean("no JPEG start marker")
    kept, position = [data[:2]], 2
    while position < len(data):
        if data[position] != 0xFF:
            raise NotClean(f"no JPEG marker at byte {position}")
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker == JPEG_START_OF_SCAN:
            kept.append(data[position:])
            return b"".join(kept)
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        segment = data[position : position + 2 + length]
        dropped = (0xE0 <= marker <= 0xEF and marker not in JPEG_KEPT_APPS) or marker == (
            JPEG_COMMENT
        )
        if not dropped:
            kept.append(segment)
        position += 2 + length
    raise NotClean("no JPEG scan")


def png_without_metadata(data: bytes) -> bytes:
    """A PNG's bytes without its text, EXIF and time chunks."""
    if not data.startswith(PNG_SIGNATURE):
        raise NotClean("no PNG signature")
    kept, position = [PNG_SIGNATURE], len(PNG_SIGNATURE)
    while position + 8 <= len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        end = position + 12 + length
        if kind not in PNG_DROPPED:
            kept.append(data[position:end])
        position = end
        if kind == b"IEND":
            return b"".join(kept)
    raise NotClean("no PNG end chunk")


def webp_without_metadata(data: bytes) -> bytes:
    """A WebP's bytes without its EXIF and XMP chunks (and their flags)."""
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise NotClean("no WebP header")
    kept, position = [], 12
    while position + 8 <= len(data):
        kind = data[position : position + 4]
        (length,) = struct.unpack("<I", data[position + 4 : position + 8])
        end = position + 8 + length + (length & 1)
        chunk = data[position:end]
        if kind == b"VP8X":
            flags = chunk[8] & ~(WEBP_EXIF_FLAG | WEBP_XMP_FLAG)
            chunk = chunk[:8] + bytes([flags]) + chunk[9:]
        if kind not in WEBP_DROPPED:
            kept.append(chunk)
        position = end
    body = b"WEBP" + b"".join(kept)
    return b"RIFF" + struct.pack("<I", len(body)) + body


STRIPPERS = {
    "JPEG": jpeg_without_metadata,
    "PNG": png_without_metadata,
    "WEBP": webp_without_metadata,
}


def without_metadata(data: bytes, image_format: str) -> bytes:
    """The file's bytes without metadata, or as they are for a format kept whole (GIF, AVIF)."""
    stripper = STRIPPERS.get(image_format)
    return stripper(data) if stripper else data
