"""Tell the build which post or page each output file is written from, as PAGE_SOURCES.

The build's checks of the written site (sitebuild/links.py) report a broken link at the line of
the post it is written in; only Pelican's generators know which post that is.
"""

import logging

from pelican import signals

logger = logging.getLogger(__name__)

# Generator attributes holding posts and pages, each written from its own source.
SOURCE_GROUPS = (
    "articles",
    "translations",
    "drafts",
    "hidden_articles",
    "hidden_translations",
    "pages",
    "hidden_pages",
    "draft_pages",
)


def note_sources(generators) -> None:
    """Put each output file's source into the settings, by output path."""
    if not generators:
        return
    sources = {
        item.save_as: item.source_path
        for generator in generators
        for group in SOURCE_GROUPS
        for item in getattr(generator, group, ())
        if getattr(item, "save_as", None) and getattr(item, "source_path", None)
    }
    generators[0].settings["PAGE_SOURCES"] = sources


def register() -> None:
    """Connect the handler to Pelican's signals."""
    signals.all_generators_finalized.connect(note_sources)
