"""Opt-in speed-ups that give the same output: each is undone when the work it speeds ends.

Reading (INCREMENTAL_SPEEDUPS): Pelican's Markdown reader reuses its Markdown instances, and
smartypants skips the conversions a text has nothing for. Rendering: a render worker, a process
that ends with the rendering, works out each post's and category's URLs once, and so does a
preview rebuild that writes the site the preview keeps read (with the URLs it kept).
"""

import contextlib
import copy
import functools
from collections.abc import Callable, Iterator
from typing import ClassVar

import markdown
import smartypants
from pelican import readers as pelican_readers
from pelican.contents import Content
from pelican.urlwrappers import URLWrapper

# smartypants runs some twenty regular expressions over every run of text between two tags.
# Each of these conversions leaves a text without any of its trigger strings as it is, so for
# such a text (most of them) it is skipped: the same output, typogrify about twice as fast.
SMARTYPANTS_TRIGGERS = {
    "process_escapes": ("\\",),
    "convert_dashes": ("--",),
    "convert_dashes_oldschool": ("--",),
    "convert_dashes_oldschool_inverted": ("--",),
    "convert_ellipses": ("...", ". . ."),
    "convert_backticks": ("``", "''"),
    "convert_single_backticks": ("`", "'"),
    "convert_quotes": ("'", '"'),
}

# What has URLs that Pelican formats at every use, and their names.
URL_OWNERS = (Content, URLWrapper)
URL_NAMES = ("url", "save_as")


def skipped_without_triggers(convert, triggers: tuple[str, ...]):
    """A smartypants conversion that returns a text untouched when no trigger is in it."""

    @functools.wraps(convert)
    def quick(text: str, *arguments):
        return convert(text, *arguments) if any(t in text for t in triggers) else text

    quick.incremental_original = convert
    return quick


@contextlib.contextmanager
def quick_smartypants() -> Iterator[None]:
    """Within the block, smartypants skips the conversions that cannot change a text."""
    originals = {name: getattr(smartypants, name) for name in SMARTYPANTS_TRIGGERS}
    for name, triggers in SMARTYPANTS_TRIGGERS.items():
        setattr(smartypants, name, skipped_without_triggers(originals[name], triggers))
    try:
        yield
    finally:
        for name, convert in originals.items():
            setattr(smartypants, name, convert)


@contextlib.contextmanager
def reused_markdown() -> Iterator[None]:
    """Within the block, Pelican's Markdown reader reuses its Markdown instances."""
    original = pelican_readers.Markdown
    pelican_readers.Markdown = ReusedMarkdown
    try:
        yield
    finally:
        pelican_readers.Markdown = original


def speed_ups(settings: dict) -> contextlib.AbstractContextManager:
    """The opt-in speed-ups (INCREMENTAL_SPEEDUPS) for one read, undone when it ends."""
    if not settings.get("INCREMENTAL_SPEEDUPS"):
        return contextlib.nullcontext()
    stack = contextlib.ExitStack()
    stack.enter_context(reused_markdown())
    if settings.get("INCREMENTAL_TYPOGRIFY"):
        stack.enter_context(quick_smartypants())
    return stack


class ReusedMarkdown:
    """Markdown's constructor for Pelican's reader: one instance per configuration, reset.

    Pelican makes a Markdown instance for every file, and making one (loading and configuring
    every extension) costs a fifth of converting a post; reset() clears all a conversion left.
    Pelican's reader takes the metadata preprocessor out of the instance after converting a
    file (so that it can convert the summary), and it is put back.
    """

    made: ClassVar[list[tuple[dict, markdown.Markdown, object, float]]] = []

    def __new__(cls, **config) -> markdown.Markdown:
        """The instance made with an equal configuration, reset, or a new one."""
        for known, instance, meta, priority in cls.made:
            if known == config:
                if "meta" not in instance.preprocessors:
                    instance.preprocessors.register(meta, "meta", priority)
                return instance.reset()
        instance = markdown.Markdown(**config)
        # Python-Markdown has no public way to read a processor's priority.
        priority = next(p.priority for p in instance.preprocessors._priority if p.name == "meta")
        cls.made.append((copy.deepcopy(config), instance, instance.preprocessors["meta"], priority))
        return instance


def remembered(url_property: property, known: dict[int, tuple[object, str]]) -> property:
    """A URL property worked out once per object, kept in known."""

    def url(owner: object) -> str:
        hit = known.get(id(owner))
        if hit is None or hit[0] is not owner:
            hit = known[id(owner)] = (owner, url_property.fget(owner))
        return hit[1]

    return property(url)


def remember_urls(known: dict | None = None) -> Callable[[], None]:
    """Work out each post's and category's URLs once (kept in known); return what undoes it.

    Pelican formats them from the settings at every use, some forty times a page. A render
    worker, a process that ends with the rendering, keeps them for its life; the preview keeps
    them, with the site it has read, for the rebuilds that change no post's metadata.
    """
    known = {} if known is None else known
    originals = {(owner, name): vars(owner)[name] for owner in URL_OWNERS for name in URL_NAMES}
    for (owner, name), url_property in originals.items():
        table = known.setdefault(f"{owner.__name__}.{name}", {})
        setattr(owner, name, remembered(url_property, table))

    def undo() -> None:
        for (owner, name), url_property in originals.items():
            setattr(owner, name, url_property)

    return undo


@contextlib.contextmanager
def remembered_urls(known: dict) -> Iterator[None]:
    """Within the block, each post's and category's URLs are worked out once, kept in known."""
    undo = remember_urls(known)
    try:
        yield
    finally:
        undo()
