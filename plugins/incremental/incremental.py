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

import logging
import os
from pathlib import Path

from jinja2 import FileSystemBytecodeCache
from pelican import signals
from pelican.generators import ArticlesGenerator, PagesGenerator

from .keys import digest, package_versions, plain_text
from .read_cache import CACHE_FOLDER, STATE_SETTING, save_read_cache, state_for
from .reading import CachedRead, read_ahead, source_files
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


def register() -> None:
    """Connect the handlers to Pelican's signals."""
    signals.initialized.connect(take_over_typography)
    signals.initialized.connect(cache_compiled_templates)
    signals.generator_init.connect(prepare_reading)
    signals.get_writer.connect(provide_writer)
    signals.static_generator_finalized.connect(note_static_outputs)
    signals.finalized.connect(finish_build)
