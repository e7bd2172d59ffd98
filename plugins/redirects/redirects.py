"""Old addresses answered with a permanent redirect to each post's address today.

A blog moved here from Pelican's defaults (`{slug}.html`), another pattern, or WordPress keeps
its old links: REDIRECTS_ARTICLE_PATTERNS and REDIRECTS_PAGE_PATTERNS list the old URL patterns,
in Pelican's URL syntax (`{slug}.html`, `{category}/{slug}.html`, `{date:%Y}/{date:%m}/{slug}/`),
and REDIRECTS_EXTRA maps single old paths to new ones. Each build writes the map into the output
(`sitebuild.redirects`); the publisher puts it in CloudFront's key-value store, which the
hosting's viewer-request function answers from. An old address that is still a page of the
site, or that two posts would claim, is a warning naming the post.
"""

import logging
from pathlib import Path
from urllib.parse import quote, unquote

from pelican import signals

from sitebuild.redirects import write_redirects

logger = logging.getLogger(__name__)

DEFAULT_ARTICLE_PATTERNS: list[str] = []
DEFAULT_PAGE_PATTERNS: list[str] = []
MAP_SETTING = "REDIRECTS_MAP"
# Where the map's owners are kept, to name them in warnings.
OWNERS_SETTING = "REDIRECTS_OWNERS"


def address(path: str) -> str:
    """A site path as a request's URI carries it: rooted and percent-encoded."""
    return "/" + quote(path.lstrip("/"), safe="/%:@!$&'()*+,;=-._~")


def old_addresses(post, patterns: list[str]) -> list[str]:
    """The post's addresses under each old pattern."""
    return [address(pattern.format(**post.url_format)) for pattern in patterns]


def published_posts(generators: list) -> list[tuple[object, str]]:
    """(post, kind) for every published post and page, translations too, oldest first."""
    found = []
    for generator in generators:
        for kind, attributes in (
            ("ARTICLE", ("articles", "translations")),
            ("PAGE", ("pages", "translations")),
        ):
            if type(generator).__name__ != f"{kind.title()}sGenerator":
                continue
            for name in attributes:
                found += [(post, kind) for post in getattr(generator, name, [])]
    return sorted(found, key=lambda item: (age(item[0]), item[0].source_path))


def age(post) -> float:
    """When a post was published, for the oldest to come first; pages, undated, before all."""
    date = getattr(post, "date", None)
    return date.timestamp() if date else float("-inf")


def plan_redirects(generators: list) -> None:
    """Work out the map from the posts read, once they are all known."""
    settings = generators[0].settings
    redirects: dict[str, str] = {}
    owners: dict[str, str] = {}
    for post, kind in published_posts(generators):
        patterns = settings.get(f"REDIRECTS_{kind}_PATTERNS", [])
        target = address(post.url)
        for old in old_addresses(post, patterns):
            if old == target:
                continue
            if old in redirects and redirects[old] != target:
                logger.warning(
                    "%s: old address %s is also %s's; it stays with the older post",
                    *(post.source_path, old, owners[old]),
                )
                continue
            redirects[old], owners[old] = target, post.source_path
    for old, new in settings.get("REDIRECTS_EXTRA", {}).items():
        redirects[address(old)], owners[address(old)] = address(new), "REDIRECTS_EXTRA"
    settings[MAP_SETTING], settings[OWNERS_SETTING] = redirects, owners


def is_page(output: Path, path: str) -> bool:
    """Whether the site serves a file at a request path."""
    relative = unquote(path).lstrip("/")
    return (output / relative).is_file() or (output / relative / "index.html").is_file()


def write_map(pelican) -> None:
    """Write the map into the output, leaving out old addresses that are pages of the site."""
    settings = pelican.settings
    redirects, owners = settings.get(MAP_SETTING, {}), settings.get(OWNERS_SETTING, {})
    output = Path(pelican.output_path)
    kept = {}
    for old, new in redirects.items():
        if is_page(output, old):
            logger.warning(
                "%s: old address %s is a page of the site; it is not redirected",
                *(owners[old], old),
            )
        else:
            kept[old] = new
    write_redirects(output, kept)


def register() -> None:
    """Connect the handlers to Pelican's signals."""
    signals.all_generators_finalized.connect(plan_redirects)
    signals.finalized.connect(write_map)
