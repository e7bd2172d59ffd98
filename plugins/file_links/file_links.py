"""Publish the files posts link to, however the link is written, and the site's root files.

Real posts link a file as `{static}/images/x.png`, `{attach}x.png`, `/images/x.png` or
`images/x.png` (relative to the post's source). The last two are rewritten to `{static}` when
the file is under content/, so Pelican publishes it and the link gets its published address,
whatever depth the post's URL has; a link to another post's source becomes `{filename}`. A link
that leads out of content/ is an error naming the post and line. Files under
FILE_LINKS_ROOT_FOLDER (content/extra/) are published at the site's root: `extra/CNAME` as
`CNAME`, `extra/.well-known/x` as `.well-known/x`. The build's summary names the files of the
published folders that nothing links to: published all the same, as downloads may be.
"""

import functools
import logging
import os
import posixpath
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pelican import signals
from pelican.contents import Article, Page

from sitebuild.links import link_line
from sitebuild.site import SUMMARY_LOGGER

logger = logging.getLogger(__name__)
summary = logging.getLogger(SUMMARY_LOGGER)

DEFAULT_ROOT_FOLDER = "extra"
# How many unlinked files the build's summary names.
UNLINKED_SHOWN = 5
# Sources another post may link to: such a link becomes Pelican's `{filename}`.
SOURCE_SUFFIXES = {".md", ".markdown", ".mkd", ".mdown", ".rst"}
# A quoted address in an attribute, of a tag, that links or loads a file. Markup shown as code
# is escaped (`&lt;img src="x"&gt;`), so it has no tag and is never matched.
ATTACHED = re.compile(r"^[{|]attach[|}](?P<path>.*)$")
LINKED_FILE = re.compile(r"^[{|](?:static|attach)[|}](?P<path>.*)$")
# The tags that link or load a file (not the thousands of `<span>`s of highlighted code).
TAG = re.compile(
    r"<(?:a|area|audio|embed|iframe|img|input|link|object|script|source|track|video)\b[^<>]*>",
    re.IGNORECASE,
)
LINK = re.compile(
    r"(?P<attribute>\s(?:src|href|poster)\s*=\s*)(?P<quote>[\"'])(?P<url>[^\"'<>]*)(?P=quote)"
)


def local_path(url: str) -> str | None:
    """The file path a link names inside the site, or None for other sites, anchors and `{…}`."""
    if not url or url.startswith(("{", "#", "?", "//")):
        return None
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    return unquote(parts.path)


def rewritten(url: str, target: Path, root: Path) -> str:
    """The link as Pelican's `{static}` or `{filename}`, keeping its query and fragment."""
    kind = "filename" if target.suffix.lower() in SOURCE_SUFFIXES else "static"
    parts = urlsplit(url)
    tail = (f"?{parts.query}" if parts.query else "") + (
        f"#{parts.fragment}" if parts.fragment else ""
    )
    return "{" + kind + "}/" + target.relative_to(root).as_posix() + tail


@functools.lru_cache(maxsize=4096)
def resolved(folder: str) -> Path:
    """A folder's real path, worked out once: every post of a folder shares it."""
    return Path(folder).resolve()


def rewrite_file_links(instance) -> None:
    """Give links written as `/x` or `x` (relative to the source) Pelican's link syntax."""
    if not isinstance(instance, Article | Page) or not getattr(instance, "_content", None):
        return
    root = resolved(instance.settings["PATH"])
    folder = resolved(os.path.dirname(instance.source_path))

    def rewrite(match: re.Match) -> str:
        linked = LINKED_FILE.match(match["url"])
        if linked:
            return unmarked_if_missing(match, linked)
        path = local_path(match["url"])
        if path is None:
            return match[0]
        written = root / path.lstrip("/") if path.startswith("/") else folder / path
        target = Path(os.path.normpath(written))
        if not target.is_relative_to(root):
            logger.error(
                "%s:%d: link %s leads out of %s/; keep linked files inside it",
                instance.source_path,
                link_line(Path(instance.source_path), match["url"]),
                match["url"],
                root.name,
            )
            return f"{match['attribute']}{match['quote']}#{match['quote']}"
        if not target.is_file():
            return match[0]
        url = rewritten(match["url"], target, root)
        return f"{match['attribute']}{match['quote']}{url}{match['quote']}"

    def unmarked_if_missing(match: re.Match, linked: re.Match) -> str:
        # Pelican would publish a `{static}` file that does not exist as an empty claim on its
        # address; as a plain link it is checked, and is fine if it names a page of the site.
        path = unquote(urlsplit(linked["path"]).path)
        target = root / path.lstrip("/") if path.startswith("/") else folder / path
        if not path or target.is_file():
            return match[0]
        return f"{match['attribute']}{match['quote']}{linked['path']}{match['quote']}"

    instance._content = TAG.sub(lambda tag: LINK.sub(rewrite, tag[0]), instance._content)


def order_static_files(generator) -> None:
    """Put the static files in the order of their sources, the same in every build.

    Pelican finds them as a set, whose order changes from one process to the next; pages keyed
    by what they show would otherwise all change with it.
    """
    generator.staticfiles.sort(key=lambda static: static.source_path)


def attach_linked_files(generator) -> None:
    """Move each `{attach}` file beside its post now, before anything uses its address.

    Pelican moves it when the post is first rendered; pages are rendered after the static
    files are known and checked (and in other processes), which would be too late.
    """
    context = generator.context
    for name in sorted(context["generated_content"]):
        post = context["generated_content"][name]
        content = getattr(post, "_content", None) or ""
        if "attach" not in content:
            continue
        tags = TAG.finditer(content)
        for match in (link for tag in tags for link in LINK.finditer(tag[0])):
            attached = ATTACHED.match(match["url"])
            if attached is None:
                continue
            path = unquote(urlsplit(attached["path"]).path)
            if path.startswith("/"):
                key = path[1:]
            else:
                key = post.get_relative_source_path(os.path.join(post.relative_dir, path))
            linked = context["static_content"].get(posixpath.normpath(key))
            if linked is not None:
                linked.attach_to(post)


def unlinked_files(generator) -> list[str]:
    """The published folders' files that no post or page links to (root files aside)."""
    settings = generator.settings
    root_folder = settings.get("FILE_LINKS_ROOT_FOLDER", DEFAULT_ROOT_FOLDER)
    folders = [f.rstrip("/") + "/" for f in settings["STATIC_PATHS"] if f and f != root_folder]
    linked = {posixpath.normpath(path) for path in generator.context["static_links"]}
    return sorted(
        name
        for name in (static.get_relative_source_path() for static in generator.staticfiles)
        if name.startswith(tuple(folders)) and name not in linked
    )


def report_unlinked_files(generator) -> None:
    """Sum up, in one line, the published files nothing links to: downloads, or leftovers."""
    unlinked = unlinked_files(generator)
    if unlinked:
        shown = ", ".join(unlinked[:UNLINKED_SHOWN])
        more = len(unlinked) - UNLINKED_SHOWN
        summary.info(
            "%d published file(s) linked from no post or page: %s%s",
            len(unlinked),
            shown,
            f" and {more} more" if more > 0 else "",
        )


def publish_root_files(pelican) -> None:
    """Publish each file under the root folder at the same path from the site's root."""
    settings = pelican.settings
    folder_name = settings.get("FILE_LINKS_ROOT_FOLDER", DEFAULT_ROOT_FOLDER)
    folder = Path(settings["PATH"], folder_name)
    if not folder_name or not folder.is_dir():
        return
    root_files = {
        f"{folder_name}/{path.relative_to(folder).as_posix()}": {
            "path": path.relative_to(folder).as_posix()
        }
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }
    # A new dict: the default one is shared by every build in the process. The settings' own
    # entries win.
    settings["EXTRA_PATH_METADATA"] = {**root_files, **settings.get("EXTRA_PATH_METADATA", {})}


def register() -> None:
    """Connect the handlers to Pelican's signals."""
    signals.initialized.connect(publish_root_files)
    signals.content_object_init.connect(rewrite_file_links)
    signals.static_generator_finalized.connect(order_static_files)
    signals.static_generator_finalized.connect(attach_linked_files)
    signals.static_generator_finalized.connect(report_unlinked_files)
