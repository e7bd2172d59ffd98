"""The HTML of a picture: `<img>` attributes read and written, and the `<picture>` around it."""

import html
import re

IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
# Pictures an author wrote as <picture> themselves are left as written.
PICTURE = re.compile(r"<picture\b.*?</picture>", re.IGNORECASE | re.DOTALL)
ATTRIBUTE = re.compile(
    r"""(?P<name>[^\s=/>"']+)(?:\s*=\s*(?:"(?P<double>[^"]*)"|'(?P<single>[^']*)'|(?P<bare>[^\s"'>]+)))?"""
)


def attributes(tag: str) -> dict[str, str | None]:
    """An `<img>` tag's attributes in order, by lower-case name (None for a bare attribute)."""
    inner = tag[4:].rstrip(">").rstrip("/")
    found: dict[str, str | None] = {}
    for match in ATTRIBUTE.finditer(inner):
        value = next((match[k] for k in ("double", "single", "bare") if match[k] is not None), None)
        found.setdefault(match["name"].lower(), value)
    return found


def img_tag(attrs: dict[str, str | None]) -> str:
    """An `<img>` tag with these attributes, values quoted (they are already HTML text)."""
    parts = [name if value is None else f'{name}="{value}"' for name, value in attrs.items()]
    return "<img " + " ".join(parts) + ">"


def sized(attrs: dict[str, str | None], width: int, height: int) -> dict[str, str | None]:
    """The attributes with width and height set, keeping an author's own, scaled to match."""
    given_width, given_height = attrs.get("width"), attrs.get("height")
    if given_width and given_height:
        return attrs
    if given_width:
        if not given_width.isdigit():
            return attrs  # a size in other units (`50%`) is the author's to keep
        return {**attrs, "height": str(max(1, round(int(given_width) * height / width)))}
    if given_height:
        if not given_height.isdigit():
            return attrs
        return {**attrs, "width": str(max(1, round(int(given_height) * width / height)))}
    return {**attrs, "width": str(width), "height": str(height)}


def loading(attrs: dict[str, str | None], first: bool) -> dict[str, str | None]:
    """The attributes with decoding and loading hints, unless the author set their own."""
    hints = {"decoding": "async"} if first else {"decoding": "async", "loading": "lazy"}
    return {**attrs, **{name: value for name, value in hints.items() if name not in attrs}}


def picture(img: str, sources: list[tuple[str, str]], sizes: str) -> str:
    """The img inside a `<picture>` offering each (type, srcset) before the original."""
    if not sources:
        return img
    offered = "".join(
        f'<source type="{kind}" srcset="{html.escape(srcset)}" sizes="{sizes}">'
        for kind, srcset in sources
    )
    return f"<picture>{offered}{img}</picture>"
