"""The HTTP headers each published file gets, from two readable tables: type and caching."""

import re
from dataclasses import dataclass

TEXT = "; charset=utf-8"

# Content-Type by how the key ends; the first match wins. Python's mimetypes varies by platform
# and knows nothing of feeds or Pagefind, and with `nosniff` a wrong type breaks a page.
CONTENT_TYPES: list[tuple[str, str]] = [
    (".html", "text/html" + TEXT),
    (".css", "text/css" + TEXT),
    (".js", "text/javascript" + TEXT),
    (".mjs", "text/javascript" + TEXT),
    (".atom.xml", "application/atom+xml" + TEXT),
    (".rss.xml", "application/rss+xml" + TEXT),
    (".xml", "application/xml" + TEXT),
    (".json", "application/json" + TEXT),
    (".webmanifest", "application/manifest+json" + TEXT),
    (".txt", "text/plain" + TEXT),
    (".svg", "image/svg+xml" + TEXT),
    (".png", "image/png"),
    (".jpg", "image/jpeg"),
    (".jpeg", "image/jpeg"),
    (".gif", "image/gif"),
    (".webp", "image/webp"),
    (".avif", "image/avif"),
    (".ico", "image/vnd.microsoft.icon"),
    (".woff2", "font/woff2"),
    (".woff", "font/woff"),
    (".pdf", "application/pdf"),
    (".wasm", "application/wasm"),
    # Pagefind's index: binary chunks, and its WebAssembly under a name of its own.
    (".pagefind", "application/wasm"),
    (".pf_meta", "application/octet-stream"),
    (".pf_index", "application/octet-stream"),
    (".pf_fragment", "application/octet-stream"),
    (".pf_filter", "application/octet-stream"),
]
DEFAULT_CONTENT_TYPE = "application/octet-stream"

REVALIDATE = "public, max-age=0, s-maxage=3600, must-revalidate"
IMMUTABLE = "public, max-age=31536000, immutable"
ONE_DAY = "public, max-age=86400"

# Cache-Control by key; the first matching pattern wins.
# - Pages, feeds and the sitemap change in place: browsers revalidate every time, CloudFront
#   keeps them an hour and the publisher invalidates the ones that changed.
# - A name that carries a hash of its content never changes: cache it for a year.
# - Pagefind's entry files (and, for an index in parts, the parts file and each part's entry)
#   name its hashed chunks, so they must be as fresh as the pages.
CACHE_RULES: list[tuple[str, str]] = [
    (r"\.(html|xml)$", REVALIDATE),
    (r"^robots\.txt$", REVALIDATE),
    (r"\.[0-9a-f]{10}\.[a-z0-9]+$", IMMUTABLE),
    (r"^pagefind/(more/\d+/)?(fragment|index|filter)/", IMMUTABLE),
    (r"^pagefind/(more/\d+/)?pagefind\.[^/]*\.pf_meta$", IMMUTABLE),
    (r"^pagefind/", REVALIDATE),
    (r"", ONE_DAY),
]


@dataclass(frozen=True)
class ObjectHeaders:
    """The headers the publisher sets on one object."""

    content_type: str
    cache_control: str


def content_type(key: str) -> str:
    """The Content-Type for a key."""
    lowered = key.lower()
    return next(
        (kind for ending, kind in CONTENT_TYPES if lowered.endswith(ending)), DEFAULT_CONTENT_TYPE
    )


def cache_control(key: str) -> str:
    """The Cache-Control for a key."""
    return next(value for pattern, value in CACHE_RULES if re.search(pattern, key))


def headers_for(key: str) -> ObjectHeaders:
    """The headers for a key."""
    return ObjectHeaders(content_type(key), cache_control(key))


def is_document(key: str) -> bool:
    """Whether a key names other files (a page, feed, sitemap, Pagefind's entry): sent last."""
    return cache_control(key) == REVALIDATE
