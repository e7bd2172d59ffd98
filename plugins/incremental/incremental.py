"""Build fast: read sources and render pages on every core, and redo only what changed.

Reading (`reading`, `read_cache`): each source is read (Markdown, highlighting, then typogrify,
which this plugin applies in Pelican's place so that it is cached too) in a pool of worker
processes (`pool`), and the result is kept in CACHE_PATH under its path and bytes. The cache
file's name carries a digest of all else that shapes reading (`keys`: settings, plugin code,
library versions), so changing any of them starts a fresh cache. Warnings from reading are kept
with the result and logged again on every build (`logs`), so a cached post warns, and fails a
strict build, as if read anew. Speed-ups that patch a library are opt-in and undone after each
read (`speedups`).

Writing (`writer`, `page_keys`, `pages`): the writer, given to Pelican through `get_writer`,
keys every page by what it shows and renders only the pages whose key changed, in parallel,
when the build ends; the output folders it builds into are `sitebuild.staging`'s. List this
plugin before any that reads the output when the build ends: pages are written when `finalized`
reaches it, and announced then through `content_written`.
"""

import contextlib
import logging
import os
from pathlib import Path

from jinja2 import FileSystemBytecodeCache
from pelican import signals
from pelican.generators import ArticlesGenerator, PagesGenerator

from sitebuild.signals import warm_site_read, warm_text_taken, warm_writing

from .keys import digest, package_versions, plain_text
from .page_keys import PageKeys
from .read_cache import CACHE_FOLDER, STATE_SETTING, save_read_cache, state_for
from .reading import CachedRead, read_ahead, source_files
from .speedups import remembered_urls
from .writer import IncrementalWriter, writer_for

logger = logging.getLogger(__name__)


def take_over_typography(pelican) -> None:
    """Typeset while reading, so it is cached and parallel, and stop Pelican doing it again."""
    settings = pelican.settings
    if settings.get("TYPOGRIFY"):
        settings["TYPOGRIFY"] = False
        settings["INCREMENTAL_TYPOGRIFY"] = True


def cache_compiled_templates(pelican) -> None:
    """Keep Jinja's compiled templates in CACHE_PATH, so a new process need not compile them."""
    environment = pelican.settings.setdefault("JINJA_ENVIRONMENT", {})
    if "bytecode_cache" not in environment:
        # Jinja keys compiled code by each template's source; the options that shape the code
        # (autoescape, extensions, ...) and Jinja's version name the folder.
        options = digest(
            plain_text(environment), package_versions({"INCREMENTAL_PACKAGES": ["jinja2"]})
        )
        folder = Path(pelican.settings["CACHE_PATH"], CACHE_FOLDER, f"templates-{options[:16]}")
        folder.mkdir(parents=True, exist_ok=True)
        environment["bytecode_cache"] = FileSystemBytecodeCache(str(folder))


def prepare_reading(generator) -> None:
    """Route the generator's reading through the cache and read its uncached sources now."""
    if type(generator) not in (ArticlesGenerator, PagesGenerator):
        return
    state = state_for(generator.settings)
    readers = generator.readers.readers
    for reader in set(readers.values()):
        if not hasattr(reader, "incremental_original_read"):
            reader.incremental_original_read = reader.read
            reader.read = CachedRead(reader, state)
    read_ahead(state, readers, source_files(generator))


def note_static_outputs(generator) -> None:
    """Remember the static files' outputs, which Pelican may leave as they were."""
    state = generator.settings.get(STATE_SETTING)
    if state is not None:
        for static in getattr(generator, "staticfiles", []):
            state.static_outputs.add(
                os.path.abspath(os.path.join(generator.output_path, static.save_as))
            )


def provide_writer(pelican) -> type:
    """Give Pelican the incremental writer."""
    return IncrementalWriter


def finish_build(pelican) -> None:
    """Write the scheduled pages, then keep the page keys and the read results for next time."""
    writer = writer_for(pelican.output_path)
    state = pelican.settings.pop(STATE_SETTING, None)
    if writer is not None:
        writer.finish(state.static_outputs if state else set())
    if state is not None:
        save_read_cache(state)


def prime_page_keys(generators: list) -> None:
    """Where the preview keeps the site read, describe it once for every rebuild forked from it."""
    settings = generators[0].settings
    state = settings.get(STATE_SETTING)
    if state is not None:
        state.page_keys = PageKeys(state.environment, settings)
        with urls_kept(state):
            state.page_keys.prime(generators[0].context)


def urls_kept(state) -> contextlib.AbstractContextManager:
    """With the opt-in speed-ups, URLs worked out within are kept with the site read."""
    if not state.settings.get("INCREMENTAL_SPEEDUPS"):
        return contextlib.nullcontext()
    return remembered_urls(state.urls)


def keep_urls_while_writing(generators: list) -> contextlib.AbstractContextManager | None:
    """A rebuild writing the warm site, whose posts' URLs are as they were, uses those kept."""
    state = generators[0].settings.get(STATE_SETTING)
    return urls_kept(state) if state is not None else None


def forget_edited_text(posts: list) -> None:
    """In a rebuild forked from the warm site, describe the posts whose text changed anew."""
    for post in posts:
        state = post.settings.get(STATE_SETTING)
        if state is not None and state.page_keys is not None:
            state.page_keys.forget_text([post])


def register() -> None:
    """Connect the handlers to Pelican's signals."""
    signals.initialized.connect(take_over_typography)
    signals.initialized.connect(cache_compiled_templates)
    signals.generator_init.connect(prepare_reading)
    signals.get_writer.connect(provide_writer)
    signals.static_generator_finalized.connect(note_static_outputs)
    signals.finalized.connect(finish_build)
    warm_site_read.connect(prime_page_keys)
    warm_text_taken.connect(forget_edited_text)
    warm_writing.connect(keep_urls_while_writing)
