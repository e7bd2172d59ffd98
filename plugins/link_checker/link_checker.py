"""Fail the build when a page links to a file of the site that was not written.

After Pelican writes the site, every `href`, `src` and `srcset` in every HTML file that points
inside the site (a relative URL, or an absolute one under SITEURL) must name a file in the output,
or a folder with an index.html. Each broken one is an error naming the page and the target.
"""

import logging
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from pelican import signals

logger = logging.getLogger(__name__)

LINK_ATTRIBUTES = {"href", "src", "poster", "data"}
# Elements whose href is not something a reader or browser fetches as a page or file.
IGNORED_ELEMENTS = {"base"}
IGNORED_SCHEMES = {"mailto", "tel", "javascript", "data"}


class LinkCollector(HTMLParser):
    """Collect the URLs a page links to or loads."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Record each linking attribute of an element."""
        if tag in IGNORED_ELEMENTS:
            return
        for name, value in attrs:
            if value is None:
                continue
            if name in LINK_ATTRIBUTES:
                self.urls.append(value)
            elif name == "srcset":
                self.urls.extend(part.split()[0] for part in value.split(",") if part.strip())


def page_links(html: str) -> list[str]:
    """The URLs in an HTML document, in order."""
    collector = LinkCollector()
    collector.feed(html)
    return collector.urls


def target_path(url: str, page_url: str, site_url: str) -> str | None:
    """The output path a URL points at, or None when it leaves the site."""
    resolved = urljoin(page_url, url)
    parts = urlsplit(resolved)
    if parts.scheme in IGNORED_SCHEMES:
        return None
    site = urlsplit(site_url)
    if (parts.scheme, parts.netloc) != (site.scheme, site.netloc):
        return None
    path = unquote(parts.path)
    base = site.path.rstrip("/")
    if not path.startswith(base + "/") and path != base:
        return None
    return path[len(base) :].lstrip("/")


def resolves(output: Path, relative: str) -> bool:
    """Whether a path in the output is a file, or a folder with an index.html."""
    target = output / relative
    return target.is_file() or (target / "index.html").is_file()


def broken_links(output: Path, site_url: str) -> list[tuple[str, str]]:
    """Every (page, URL) in the output whose target inside the site does not exist."""
    # Any absolute base works for resolving; a local build has no SITEURL.
    base = site_url.rstrip("/") if site_url.startswith(("http://", "https://")) else "http://site"
    problems = []
    for page in sorted(output.rglob("*.html")):
        relative_page = page.relative_to(output).as_posix()
        page_url = f"{base}/{relative_page}"
        for url in page_links(page.read_text(encoding="utf-8", errors="replace")):
            if url.startswith("#"):
                continue
            target = target_path(url, page_url, base + "/")
            if target is not None and not resolves(output, target):
                problems.append((relative_page, url))
    return problems


def check_links(pelican) -> None:
    """Log an error for every broken internal link in the written site."""
    for page, url in broken_links(Path(pelican.output_path), pelican.settings.get("SITEURL", "")):
        logger.error("%s: broken link to %s (no such file in the site)", page, url)


def register() -> None:
    """Connect the check to the end of the build."""
    signals.finalized.connect(check_links)
