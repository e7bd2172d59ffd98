"""The preview's warm site: posts read once, so a rebuild after a text edit only writes pages.

The preview process reads every source into Pelican's generators once, as a build's first half
does, and keeps them. A rebuild forked from it compares the sources with what was read; when
only the text of posts changed (no metadata, no added, removed or other files), it reads just
those posts again, puts their new text into the posts it has, and runs the build's second half,
writing the site. Anything else gets a full build, and the preview reads the site again after.
"""

import contextlib
import hashlib
import logging
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pelican import signals
from pelican.contents import Content, Page
from pelican.generators import ArticlesGenerator, PagesGenerator
from pelican.log import LimitFilter
from pelican.urlwrappers import URLWrapper

from sitebuild.build import prepare_settings
from sitebuild.links import keep_checked_pages
from sitebuild.post_parts import post_metadata
from sitebuild.signals import warm_site_read, warm_text_taken, warm_writing
from sitebuild.site import Site

logger = logging.getLogger(__name__)

# What a warm rebuild replaces in a post whose text alone was edited.
TEXT_ATTRIBUTES = ("_content", "_summary")
# Pelican memoises a post's rendered text and summary per post object.
MEMOISED_METHODS = ("get_content", "get_summary")


class RecordKeeper(logging.Handler):
    """Keep what this thread logs at warning level or above, instead of printing it.

    What other threads log (the preview's servers, while the site is read in a thread of its
    own) goes on to the handlers it would have gone to.
    """

    def __init__(self, others: list[logging.Handler]) -> None:
        super().__init__()
        self.thread = threading.get_ident()
        self.others = others
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the record, to be logged again by the build or dropped; or pass it on."""
        if record.thread != self.thread:
            for handler in self.others:
                if record.levelno >= handler.level:
                    handler.handle(record)
        elif record.levelno >= logging.WARNING:
            self.records.append(record)


@contextlib.contextmanager
def kept_records() -> Iterator[RecordKeeper]:
    """Keep warnings and errors aside for the duration; then let Pelican log them again."""
    root = logging.getLogger()
    saved = root.handlers[:]
    keeper = RecordKeeper(saved)
    root.handlers = [keeper]
    forget_logged_warnings()  # so that every warning is seen
    try:
        yield keeper
    finally:
        root.handlers = saved
        forget_logged_warnings()  # so that the build logs them again


# A file changed this soon after its digest was made may have kept its size and time (file
# times are coarse): its identity is not trusted, and it is read again the next time.
RACY_SECONDS = 2.0
# Sources Pelican reads as text (Markdown, reStructuredText, HTML); other files are published.
TEXT_SOURCE_SUFFIXES = {".md", ".markdown", ".mkd", ".mdown", ".rst", ".html", ".htm"}


@dataclass(frozen=True)
class SourceDigest:
    """A source's digest, and the file identity (inode, size, times) it was made for."""

    identity: tuple[int, int, int, int]
    digest: str
    trusted: bool


def source_digests(
    content: Path, known: dict[str, SourceDigest] | None = None
) -> dict[str, SourceDigest]:
    """A digest of every file below the content folder, by path relative to it.

    A file whose identity is the one known, and was trusted then, keeps its known digest
    unread, so that finding the few edited sources does not read them all.
    """
    known = known or {}
    digests, now = {}, time.time_ns()
    for folder, _, names in os.walk(content):
        for name in names:
            path = os.path.join(folder, name)
            relative = os.path.relpath(path, content)
            status = os.stat(path)
            # The change time too: a tool may set a file's modification time back, not that.
            # Not for the files the build publishes as they are: each build's hard link to one
            # changes its change time, and reading them all again would cost seconds.
            read_as_text = os.path.splitext(name)[1].lower() in TEXT_SOURCE_SUFFIXES
            changed = status.st_ctime_ns if read_as_text else status.st_mtime_ns
            identity = (status.st_ino, status.st_size, status.st_mtime_ns, changed)
            earlier = known.get(relative)
            if earlier is not None and earlier.trusted and earlier.identity == identity:
                digests[relative] = earlier
                continue
            with open(path, "rb") as file:
                digest = hashlib.file_digest(file, "blake2b").hexdigest()
            trusted = now - max(status.st_mtime_ns, changed) > RACY_SECONDS * 1e9
            digests[relative] = SourceDigest(identity, digest, trusted)
    return digests


def fingerprint(value: object) -> object:
    """A value to compare with ==, strict where Pelican's own equality is loose."""
    if isinstance(value, URLWrapper):
        # Categories, tags and authors are equal by slug alone; the name and URLs show too.
        return (type(value).__name__, value.name, value.slug, value.url, value.save_as)
    if isinstance(value, Content):
        return ("post", value.source_path)
    if isinstance(value, dict):
        return sorted(((repr(k), fingerprint(v)) for k, v in value.items()), key=repr)
    if isinstance(value, list | tuple):
        return [fingerprint(item) for item in value]
    if isinstance(value, set | frozenset):
        return sorted((fingerprint(item) for item in value), key=repr)
    return value


def metadata_of(post: Content) -> object:
    """Everything a post holds except its text: what other pages may show of it."""
    return fingerprint(post_metadata(post))


def forget_memoised_text(posts: list[Content]) -> None:
    """Drop Pelican's memoised rendering of posts whose text is replaced or which are let go."""
    ids = {id(post) for post in posts}
    for name in MEMOISED_METHODS:
        cache = vars(Content)[name].cache
        for arguments in [a for a in cache if a and id(a[0]) in ids]:
            del cache[arguments]


def forget_logged_warnings() -> None:
    """Reset Pelican's filter that logs each warning once per process."""
    LimitFilter._ignore.clear()
    LimitFilter._raised_messages.clear()
    LimitFilter._group_count.clear()


class WarmSite:
    """Pelican's generators after reading the site, and the digests of the sources they read."""

    def __init__(self, settings: dict, site: Site, generators: list, sources: dict) -> None:
        self.settings = settings
        self.site = site
        self.generators = generators
        self.sources = sources
        # What reading the edited posts logged, to be logged as the site is written.
        self.logged: list[logging.LogRecord] = []

    @classmethod
    def read(
        cls, settings_file: Path, output: Path, overrides: dict | None = None
    ) -> "WarmSite | None":
        """Read the site as a preview build would; None if reading logged any problem."""
        settings = prepare_settings(settings_file, output, overrides, preview=True)
        # Digests first: a source edited while it is read then differs, and is read again.
        sources = source_digests(Path(settings["PATH"]))
        with kept_records() as problems:
            try:
                site = Site(settings)
                generators = site.read()
                render_summaries(generators)
                keep_checked_pages(settings)
                warm_site_read.send(generators)
            except Exception:  # the full build that follows reports it properly
                logger.debug("could not read the site ahead of rebuilds", exc_info=True)
                return None
        return None if problems.records else cls(settings, site, generators, sources)

    def take_text_edits(self) -> bool:
        """Put the new text of edited posts into the posts read; False if more than text changed.

        Called in the forked rebuild, whose copy of the posts it changes. What reading the
        edited posts logs is logged again when the site is written; if the edits are not
        taken, the full build reads them again and logs it.
        """
        with kept_records() as logged:
            try:
                taken = self.take_edits()
            except Exception:  # the full build reads the post again and reports the problem
                logger.debug("could not take the edits", exc_info=True)
                taken = False
        self.logged = logged.records if taken else []
        return taken

    def take_edits(self) -> bool:
        """Take the text of every edited post, or say that more than text changed."""
        content = Path(self.settings["PATH"])
        now = source_digests(content, self.sources)
        if now.keys() != self.sources.keys():
            return False
        posts = self.generators[0].context["generated_content"]
        edited = [name for name, new in now.items() if self.sources[name].digest != new.digest]
        taken = []
        for name in sorted(edited):
            post = posts.get(name)
            if post is None or not self.take_text(post, content / name):
                return False
            taken.append(post)
        warm_text_taken.send(taken)
        return True

    def take_text(self, post: Content, path: Path) -> bool:
        """Read a post again and take its new text, if its metadata is as it was."""
        kind = "page" if isinstance(post, Page) else "article"
        wanted = PagesGenerator if kind == "page" else ArticlesGenerator
        generator = next(g for g in self.generators if isinstance(g, wanted))
        fresh = generator.readers.read_file(
            base_path=generator.path,
            path=os.path.relpath(path, generator.path),
            content_class=type(post),
            context=generator.context,
            preread_signal=getattr(signals, f"{kind}_generator_preread"),
            preread_sender=generator,
            context_signal=getattr(signals, f"{kind}_generator_context"),
            context_sender=generator,
        )
        fresh.refresh_metadata_intersite_links()
        if metadata_of(fresh) != metadata_of(post):
            return False
        # Static files a post links to are copied for it; a new or dropped link needs a build.
        if fresh.get_static_links() != post.get_static_links():
            return False
        for name in TEXT_ATTRIBUTES:
            if hasattr(fresh, name):
                setattr(post, name, getattr(fresh, name))
            elif hasattr(post, name):
                delattr(post, name)
        post.metadata.pop("summary", None)
        if "summary" in fresh.metadata:
            post.metadata["summary"] = fresh.metadata["summary"]
        forget_memoised_text([post])
        return True

    def close(self) -> None:
        """Let go of the site read: its generators, posts and settings, and what they hold.

        Pelican memoises every post's rendered text in its class; those entries would keep
        the posts, and through their settings the build's caches, alive after the site goes.
        """
        if self.generators:
            forget_memoised_text(list(self.generators[0].context["generated_content"].values()))
        self.generators.clear()
        self.settings.clear()
        self.site = None
        self.logged = []

    def write_output(self) -> None:
        """Run the second half of a build: every generator writes, then the build finishes."""
        for record in self.logged:
            logging.getLogger(record.name).handle(record)
        with contextlib.ExitStack() as scope:
            for _, context_manager in warm_writing.send(self.generators):
                if context_manager is not None:
                    scope.enter_context(context_manager)
            self.site.write(self.generators)


def render_summaries(generators: list) -> None:
    """Render every post's summary once, here, rather than in every rebuild's feeds and listings.

    Pelican memoises a post's summary, and each rebuild forked from this process inherits that;
    a post whose text a rebuild replaces has it forgotten (forget_memoised_text).
    """
    for post in generators[0].context["generated_content"].values():
        post.summary  # noqa: B018 - read for Pelican's memo, not for the value
