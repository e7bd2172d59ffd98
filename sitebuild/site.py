"""Pelican's build in two halves, reading and writing, shared by every build and the preview.

A build runs both halves; the preview reads once, keeps what it read, and has each rebuild
forked from it write. Both halves send Pelican's signals as `Pelican.run()` does, in its order.
"""

import gc
import logging
import os
import sys
import time

from pelican import Pelican, signals
from pelican.generators import ArticlesGenerator, PagesGenerator, StaticGenerator
from pelican.utils import clean_output_dir

# Lines that sum a build up for its author, shown by `invoke build` (see show_summary); plugins
# log theirs here too.
SUMMARY_LOGGER = "sitebuild.summary"
summary = logging.getLogger(SUMMARY_LOGGER)


class LinkingStaticGenerator(StaticGenerator):
    """Pelican's static generator, finding a file already linked in place in two stats, not three.

    A site with pictures publishes thousands of files, and each is checked on every build.
    """

    def _file_update_required(self, staticfile) -> bool:
        """Whether the file must be linked or copied: not when its output is already the source."""
        if self.settings["STATIC_CREATE_LINKS"]:
            try:
                output = os.stat(os.path.join(self.output_path, staticfile.save_as))
                source = os.stat(os.path.join(self.path, staticfile.source_path))
            except OSError:
                return super()._file_update_required(staticfile)
            if (output.st_dev, output.st_ino) == (source.st_dev, source.st_ino):
                return False
        return super()._file_update_required(staticfile)


class Site(Pelican):
    """Pelican, with its run split into reading the sources and writing the output."""

    def _get_generator_classes(self) -> list[type]:
        """Pelican's generators, with the static one checking linked files faster."""
        classes = super()._get_generator_classes()
        return [LinkingStaticGenerator if c is StaticGenerator else c for c in classes]

    def run(self) -> None:
        """Read and write the site, as Pelican's own run does."""
        started = time.monotonic()
        if self.delete_outputdir and not is_within(self.path, self.output_path):
            clean_output_dir(self.output_path, self.output_retention)
        generators = self.read()
        # What was read lives until the build ends: frozen, it is skipped by the collector's full
        # passes, each of which would otherwise walk the whole site (build_site thaws it).
        gc.freeze()
        self.write(generators)
        articles = next(g for g in generators if isinstance(g, ArticlesGenerator))
        pages = next(g for g in generators if isinstance(g, PagesGenerator))
        summary.info(
            "Done: %d article(s), %d draft(s), %d page(s) in %.2f seconds",
            len(articles.articles) + len(articles.translations),
            len(articles.drafts) + len(articles.drafts_translations),
            len(pages.pages) + len(pages.translations),
            time.monotonic() - started,
        )

    def read(self) -> list:
        """Make the generators and read every source: the first half of a build."""
        context = self.settings.copy()
        # Shared by all generators and content objects, as Pelican shares them.
        context["generated_content"] = {}
        context["static_links"] = set()
        context["static_content"] = {}
        context["localsiteurl"] = self.settings["SITEURL"]
        generators = [
            cls(
                context=context,
                settings=self.settings,
                path=self.path,
                theme=self.theme,
                output_path=self.output_path,
            )
            for cls in self._get_generator_classes()
        ]
        for generator in generators:
            if hasattr(generator, "generate_context"):
                generator.generate_context()
            if hasattr(generator, "check_disabled_readers"):
                generator.check_disabled_readers()
        signals.all_generators_finalized.send(generators)
        for generator in generators:
            if hasattr(generator, "refresh_metadata_intersite_links"):
                generator.refresh_metadata_intersite_links()
        return generators

    def write(self, generators: list) -> None:
        """Write every generator's output and finish: the second half of a build."""
        writer = self._get_writer()
        for generator in generators:
            if hasattr(generator, "generate_output"):
                generator.generate_output(writer)
        signals.finalized.send(self)


def is_within(content: str, output: str) -> bool:
    """Whether output is content or a folder above it, which cleaning would empty."""
    content, output = os.path.realpath(content), os.path.realpath(output)
    return os.path.commonpath([output]) == os.path.commonpath([output, content])


def show_summary() -> None:
    """Show each build's closing line (what was read, how long it took) on standard output."""
    handler = logging.StreamHandler(sys.stdout)
    # Problems are shown by the build's own reporter, on standard error.
    handler.addFilter(lambda record: record.levelno < logging.WARNING)
    summary.setLevel(logging.INFO)
    if not summary.handlers:
        summary.addHandler(handler)
