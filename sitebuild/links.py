"""Fail the build when a page links to a file of the site that was not written.

Once the writer is done (the build runs this after Pelican, whatever the plugins' order), every
`href`, `src` and `srcset` in every HTML file that points inside the site (a relative URL, or an
absolute one under SITEURL) must name a file in the output, or a folder with an index.html. Each
broken one is an error naming the post and line it is written at (the page_sources plugin says
which source each page comes from), or else the page. LINK_CHECKER_IGNORE names top-level folders
of the output that other tools fill (the preview's search index), left out of the check.
"""

import functools
import hashlib
import logging
import os
import pickle
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

logger = logging.getLogger(__name__)

LINK_ATTRIBUTES = ("href", "src", "poster", "data")
LINKING_ELEMENTS = "[href], [src], [srcset], [poster], [data]"
# Elements whose href is not something a reader or browser fetches as a page or file.
IGNORED_ELEMENTS = {"base"}
IGNORED_SCHEMES = {"mailto", "tel", "javascript", "data"}
# Where the page_sources plugin leaves each page's source, by output path.
SOURCES_SETTING = "PAGE_SOURCES"
# Where a plugin that has just listed the output's files (the incremental writer's sweep) may
# leave them, as paths relative to it, so the check need not list them again. A file written
# after that is found on disk when a link to it is not in the list.
OUTPUT_FILES_SETTING = "OUTPUT_FILES"
# Links found in each page, kept for the next build, under the settings' CACHE_PATH.
CACHE_FILE = "links/checked-pages.pickle"
# The file is rewritten when a build checked this many pages anew; below that, the next build
# checking those few pages again costs less than writing every page's links (a second at
# 10,000 posts).
REWRITE_AFTER_PAGES = 64
LINK_SEPARATOR = "\0"
# The checked pages this process has loaded or saved, by cache file.
_known_pages: dict[Path, dict] = {}


def page_links(html: str) -> list[str]:
    """The URLs in an HTML document that link to or load something, in document order."""
    urls, seen = [], set()
    for element in LexborHTMLParser(html).css(LINKING_ELEMENTS):
        # An element matching several of the selectors is returned once for each.
        if element.tag in IGNORED_ELEMENTS or element.mem_id in seen:
            continue
        seen.add(element.mem_id)
        attributes = element.attributes
        urls += [attributes[name] for name in LINK_ATTRIBUTES if attributes.get(name) is not None]
        srcset = attributes.get("srcset")
        if srcset:
            urls += [part.split()[0] for part in srcset.split(",") if part.strip()]
    return urls


@functools.lru_cache(maxsize=65536)
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


def written_files(output: Path, ignored: tuple[str, ...] = ()) -> set[str]:
    """Every file in the output, as a path relative to it, but those below ignored folders."""
    files = set()
    for folder, subfolders, names in os.walk(output):
        relative = os.path.relpath(folder, output)
        if relative == ".":
            subfolders[:] = [name for name in subfolders if name not in ignored]
        prefix = "" if relative == "." else relative.replace(os.sep, "/") + "/"
        files.update(prefix + name for name in names)
    return files


def resolves(files: set[str], relative: str) -> bool:
    """Whether a path in the output is a file, or a folder with an index.html."""
    relative = relative.rstrip("/")
    return relative in files or f"{relative}/index.html".lstrip("/") in files


def file_identity(path: Path) -> tuple[int, int, int, int]:
    """What tells one file's bytes from another's without reading it: device, inode, size, time."""
    status = path.stat()
    return status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns


@dataclass(frozen=True)
class CheckedPage:
    """A page's links, and which were broken among the files of the site it was checked in."""

    # The links joined by NUL (which no parsed attribute holds): one string per page, not one
    # per link, keeps the cache quick to load.
    joined_links: str
    site: str
    broken: list[str]

    @property
    def links(self) -> list[str]:
        """The page's links, in document order."""
        return self.joined_links.split(LINK_SEPARATOR) if self.joined_links else []


def load_checked_pages(cache: Path | None) -> dict[tuple, CheckedPage]:
    """The pages the last build checked, by file identity: as this process last knew them."""
    if cache in _known_pages:
        # Kept by this process, or by the one this rebuild was forked from; it may lag the
        # file, and a page it lacks is just checked anew.
        return _known_pages[cache]
    try:
        with cache.open("rb") as file:
            checked = pickle.load(file)
    # A cache an older version of this module wrote may name classes that are gone.
    except (
        TypeError,
        OSError,
        pickle.UnpicklingError,
        EOFError,
        ValueError,
        AttributeError,
        ImportError,
    ):
        return {}
    valid = isinstance(checked, dict) and all(isinstance(p, CheckedPage) for p in checked.values())
    return checked if valid else {}


def keep_checked_pages(settings: dict) -> None:
    """Load the checked pages now and keep them, for the rebuilds forked from this process."""
    cache = cache_file(settings)
    if cache is not None:
        _known_pages[cache] = load_checked_pages(cache)


def save_checked_pages(cache: Path | None, checked: dict[tuple, CheckedPage], anew: int) -> None:
    """Keep this build's checked pages: in this process, and in the file if it is worth it."""
    if cache is None:
        return
    _known_pages[cache] = checked
    if anew < REWRITE_AFTER_PAGES and cache.exists():
        return
    cache.parent.mkdir(parents=True, exist_ok=True)
    partial = cache.with_name(f".{cache.name}.{os.getpid()}")
    partial.write_bytes(pickle.dumps(checked, pickle.HIGHEST_PROTOCOL))
    os.replace(partial, cache)


def site_fingerprint(base: str, files: set[str]) -> str:
    """A digest of the site's address and the names of all its files."""
    return hashlib.blake2b("\n".join([base, *sorted(files)]).encode(), digest_size=16).hexdigest()


def broken_in(links: list[str], page_url: str, base: str, files: set[str]) -> list[str]:
    """The links of one page whose target inside the site does not exist."""
    broken = []
    for url in links:
        if url.startswith("#"):
            continue
        # A root-relative or absolute URL means the same on every page: resolved once.
        absolute = url.startswith(("/", "http:", "https:"))
        target = target_path(url, base + "/" if absolute else page_url, base + "/")
        if target is not None and not resolves(files, target):
            broken.append(url)
    return broken


def broken_links(
    output: Path,
    site_url: str,
    cache: Path | None = None,
    ignored: tuple[str, ...] = (),
    listed: set[str] | None = None,
) -> list[tuple[str, str]]:
    """Every (page, URL) in the output whose target inside the site does not exist.

    With a cache file, a page an earlier build checked (the same file, kept or hard-linked into
    this output) is not parsed again, nor resolved again if the site has the same files.
    Top-level folders named in ignored are left out, as if they were not there. The output's
    files are listed here unless listed gives them (the folders in ignored left out).
    """
    # Any absolute base works for resolving; a local build has no SITEURL.
    base = site_url.rstrip("/") if site_url.startswith(("http://", "https://")) else "http://site"
    files = written_files(output, ignored) if listed is None else listed
    site = site_fingerprint(base, files)
    known, checked = load_checked_pages(cache), {}
    problems, anew = [], 0
    for relative_page in sorted(name for name in files if name.endswith(".html")):
        identity = file_identity(output / relative_page)
        page = known.get(identity)
        if page is None or page.site != site:
            links = (
                page.links
                if page
                else page_links(
                    (output / relative_page).read_text(encoding="utf-8", errors="replace")
                )
            )
            page_url = f"{base}/{relative_page}"
            broken = broken_in(links, page_url, base, files)
            page = CheckedPage(LINK_SEPARATOR.join(links), site, broken)
            anew += 1
        checked[identity] = page
        problems += [
            (relative_page, url)
            for url in page.broken
            if listed is None or not written_since(output, url, relative_page, base, ignored)
        ]
    # Earlier builds' pages are kept too (the next build may start from an earlier folder),
    # as many as this build has, newest first.
    earlier = [(i, p) for i, p in reversed(known.items()) if i not in checked and p.site == site]
    save_checked_pages(cache, {**dict(earlier[: len(checked)]), **checked}, anew)
    return problems


def written_since(output: Path, url: str, page: str, base: str, ignored: tuple[str, ...]) -> bool:
    """Whether a link missing from the listed files names one written after they were listed."""
    absolute = url.startswith(("/", "http:", "https:"))
    target = target_path(url, base + "/" if absolute else f"{base}/{page}", base + "/")
    if target is None or target.split("/", 1)[0] in ignored:
        return False
    path = output / target
    return path.is_file() or (path / "index.html").is_file()


def link_line(source: Path, url: str) -> int:
    """The line of the source that holds url (or, failing that, its file name), or 1."""
    try:
        text = source.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return 1
    for needle in (url, url.rstrip("/").rsplit("/", 1)[-1]):
        offset = text.find(needle) if needle else -1
        if offset >= 0:
            return text.count("\n", 0, offset) + 1
    return 1


def report_broken_link(page: str, url: str, sources: dict[str, str]) -> None:
    """Log one broken link: at the line of its post or page where there is one."""
    source = sources.get(page)
    if source is None:
        logger.error("%s: broken link to %s (no such file in the site)", page, url)
        return
    logger.error(
        "%s:%d: broken link to %s (no such file in the site, on %s)",
        source,
        link_line(Path(source), url),
        url,
        page,
    )


def cache_file(settings: dict) -> Path | None:
    """Where a build keeps the links of the pages it checked."""
    return Path(settings["CACHE_PATH"], CACHE_FILE) if settings.get("CACHE_PATH") else None


def check_links(settings: dict) -> None:
    """Log an error for every broken internal link in the site the settings' build wrote."""
    cache = cache_file(settings)
    ignored = tuple(settings.get("LINK_CHECKER_IGNORE", ()))
    site_url = settings.get("SITEURL", "")
    sources = settings.get(SOURCES_SETTING, {})
    listed = settings.pop(OUTPUT_FILES_SETTING, None)
    output = Path(settings["OUTPUT_PATH"])
    for page, url in broken_links(output, site_url, cache, ignored, listed):
        report_broken_link(page, url, sources)
