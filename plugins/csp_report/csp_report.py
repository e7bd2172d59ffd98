"""Warn, naming file and line, about raw HTML in a post that the site's CSP will block.

The site is served with `CONTENT_SECURITY_POLICY`; a third-party frame, an inline script or style,
an event handler or a `javascript:` link written into a post would work in a browser that ignores
the policy and silently fail on the real site. Each element is checked against the policy's own
directives, so a policy that allows more warns about less.
"""

import logging
import re
from pathlib import Path
from urllib.parse import urlparse

from pelican import signals
from pelican.contents import Article, Page
from selectolax.lexbor import LexborHTMLParser

logger = logging.getLogger(__name__)

# The directive that governs each kind of element that loads something.
LOADING_ELEMENTS = {
    "iframe": ("frame-src", "src"),
    "frame": ("frame-src", "src"),
    "object": ("object-src", "data"),
    "embed": ("object-src", "src"),
    "img": ("img-src", "src"),
    "video": ("media-src", "src"),
    "audio": ("media-src", "src"),
    "source": ("media-src", "src"),
    "track": ("media-src", "src"),
    "script": ("script-src", "src"),
}
# Directives that fall back to another when the policy does not name them.
FALLBACKS = {"frame-src": "child-src", "child-src": "default-src"}
EVENT_HANDLER = re.compile(r"on[a-z]+")
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "data")
DATA_TYPES = ("application/ld+json", "application/json")


def parse_policy(policy: str) -> dict[str, list[str]]:
    """A Content-Security-Policy as its directives and their sources."""
    directives = {}
    for part in policy.split(";"):
        name, *sources = part.split()
        if part.strip():
            directives[name.lower()] = sources
    return directives


def sources_for(directives: dict[str, list[str]], directive: str) -> list[str]:
    """The sources a directive allows, following CSP's fallbacks to default-src."""
    while directive not in directives:
        directive = FALLBACKS.get(directive, "default-src")
        if directive == "default-src" and "default-src" not in directives:
            return ["*"]
    return directives[directive]


def allows_url(sources: list[str], url: str, site_origin: str) -> bool:
    """Whether sources allow loading url from a page of the site."""
    parsed = urlparse(url)
    if not parsed.scheme and not parsed.netloc:
        return "'self'" in sources  # a relative URL is the site's own
    origin = f"{parsed.scheme}://{parsed.netloc}" if parsed.netloc else f"{parsed.scheme}:"
    for source in sources:
        if source == "*" and parsed.scheme in ("http", "https"):
            return True
        if source == "'self'" and site_origin and origin == site_origin:
            return True
        if source.endswith(":") and parsed.scheme + ":" == source:
            return True
        if source.rstrip("/") == origin or (
            "*." in source and parsed.netloc.endswith(source.split("*.", 1)[1])
        ):
            return True
    return False


def blocked_parts(
    markup: str, directives: dict[str, list[str]], origin: str
) -> list[tuple[str, str]]:
    """(what, text to find it by) for each part of markup the policy blocks, in document order."""
    scripts = sources_for(directives, "script-src")
    styles = sources_for(directives, "style-src")
    inline_scripts = "'unsafe-inline'" in scripts
    inline_styles = "'unsafe-inline'" in styles
    found = []
    for node in LexborHTMLParser(f"<body>{markup}</body>").body.traverse():
        tag, attributes = node.tag, node.attributes
        inline_script = tag == "script" and not attributes.get("src")
        # Data blocks (JSON-LD) never run, so the policy lets them be.
        if inline_script and not inline_scripts and attributes.get("type") not in DATA_TYPES:
            found.append(("an inline <script> (script-src)", "<script"))
        if tag == "style" and not inline_styles:
            found.append(("a <style> element (style-src)", "<style"))
        if tag in LOADING_ELEMENTS:
            directive, attribute = LOADING_ELEMENTS[tag]
            url = attributes.get(attribute)
            if url and not allows_url(sources_for(directives, directive), url, origin):
                found.append((f"<{tag} {attribute}={url}> ({directive})", url))
        if tag == "link" and "stylesheet" in (attributes.get("rel") or ""):
            url = attributes.get("href") or ""
            if not allows_url(styles, url, origin):
                found.append((f"<link rel=stylesheet href={url}> (style-src)", url))
        for name, value in attributes.items():
            if EVENT_HANDLER.fullmatch(name) and not inline_scripts:
                found.append((f"the {name}= handler on <{tag}> (script-src)", f"{name}="))
            elif name == "style" and not inline_styles:
                found.append(
                    (f"the style= attribute on <{tag}> (style-src); use a class", "style=")
                )
            elif name in URL_ATTRIBUTES and is_script_url(value):
                found.append((f"a javascript: link on <{tag}> (script-src)", "javascript:"))
    return found


def is_script_url(value: str | None) -> bool:
    """Whether a URL runs script when followed."""
    return (value or "").strip().lower().startswith("javascript:")


def source_line(text: str, needle: str) -> int:
    """The first line of a source holding needle (in any case), or 1."""
    offset = text.lower().find(needle.lower())
    return text.count("\n", 0, offset) + 1 if offset >= 0 else 1


def report_blocked_html(instance) -> None:
    """Warn about each part of a post's or page's own HTML that the policy blocks."""
    if not isinstance(instance, Article | Page):
        return
    policy = instance.settings.get("CONTENT_SECURITY_POLICY")
    markup = getattr(instance, "_content", "") or ""
    if not policy or "<" not in markup:
        return
    site = urlparse(instance.settings.get("SITEURL", ""))
    origin = f"{site.scheme}://{site.netloc}" if site.netloc else ""
    blocked = blocked_parts(markup, parse_policy(policy), origin)
    if not blocked:
        return
    source = Path(instance.source_path).read_text(encoding="utf-8", errors="replace")
    for description, needle in blocked:
        logger.warning(
            "%s:%d: %s will be blocked by the site's Content-Security-Policy",
            instance.source_path,
            source_line(source, needle),
            description,
        )


def register() -> None:
    """Connect the handler to Pelican's signals."""
    signals.content_object_init.connect(report_blocked_html)
