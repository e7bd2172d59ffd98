"""Build the site into a staging directory and swap it into place only when the build succeeds."""

import gc
import logging
import os
import shutil
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import jinja2
from pelican.settings import read_settings

from sitebuild.links import check_links
from sitebuild.search import BUNDLE as SEARCH_BUNDLE
from sitebuild.search import carry_over_index, index_is_current, index_site, replace_index
from sitebuild.site import Site
from sitebuild.staging import (
    attempted_tree,
    build_lock,
    keep_attempt,
    previous_tree,
    remove_stale_staging,
    staging_tree,
    swap_into_place,
)

if TYPE_CHECKING:
    from sitebuild.warm import WarmSite


# What Pelican reads as posts and pages.
SOURCE_SUFFIXES = {".md", ".markdown", ".mdown", ".mkd", ".rst"}


class BuildError(Exception):
    """A build failed and the previous output was left as it was."""


def from_cwd(path: str | os.PathLike) -> str:
    """Return path relative to the working directory when it lies below it, else as it is."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


class ProblemReporter(logging.Handler):
    """Keep each warning and error of a build as one line, by file; print them grouped."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__(level=logging.WARNING)
        self.stream = stream
        self.content_root: Path | None = None
        self.warnings = 0
        self.errors = 0
        # Problem lines by the file they are in ("" for the site as a whole), in order.
        self.by_file: dict[str, list[str]] = {}

    def source_path(self, argument: object) -> object:
        """Show a content file as a path from the working directory, whatever form Pelican used."""
        # Pelican names a source by its content object, its absolute path, or its path from
        # content/; any other string (a link as written, an image) is shown as it is, even where
        # a file of that name exists.
        candidate = getattr(argument, "source_path", argument)
        if self.content_root is None or not isinstance(candidate, str | os.PathLike):
            return argument
        path = Path(candidate)
        if not path.is_absolute() and path.suffix.lower() not in SOURCE_SUFFIXES:
            return argument
        path = self.content_root / path
        return from_cwd(path) if path.is_file() else argument

    def emit(self, record: logging.LogRecord) -> None:
        """Print the record, adding the exception being handled, which Pelican often omits."""
        if record.levelno >= logging.ERROR:
            self.errors += 1
        else:
            self.warnings += 1
        arguments = record.args if isinstance(record.args, tuple) else ()
        if arguments:
            message = str(record.msg) % tuple(map(self.source_path, arguments))
        else:
            message = record.getMessage()
        handled = sys.exc_info()[1]
        if not record.exc_info and handled is not None and str(handled) not in message:
            message = f"{message}: {handled}"
        where = next((str(a) for a in map(self.source_path, arguments) if a is not None), "")
        where = where if where and message.startswith(where) else ""
        self.by_file.setdefault(where, []).append(f"{record.levelname}: {message}")

    def report(self) -> None:
        """Print the problems, a file's together, files in order, the site's own last."""
        for where in sorted(self.by_file, key=lambda name: (name == "", name)):
            for line in self.by_file[where]:
                self.stream.write(line + "\n")
        self.stream.flush()
        self.by_file.clear()


def template_frame(error: BaseException) -> traceback.FrameSummary | None:
    """Return the innermost traceback frame that runs a template rather than Python."""
    frames = traceback.extract_tb(error.__traceback__)
    return next((f for f in reversed(frames) if not f.filename.endswith(".py")), None)


def describe_exception(error: BaseException) -> str:
    """Say what went wrong, with the template file and line for template errors."""
    if isinstance(error, jinja2.TemplateSyntaxError):
        where = from_cwd(error.filename) if error.filename else error.name
        return f"{where}:{error.lineno}: template error: {error.message}"
    frame = template_frame(error) if isinstance(error, jinja2.TemplateError) else None
    if frame is not None:
        return f"{from_cwd(frame.filename)}:{frame.lineno}: template error: {error}"
    return f"{type(error).__name__}: {error}"


def prepare_settings(
    settings_file: Path, output: Path | None, overrides: dict | None, preview: bool
) -> dict:
    """Read the settings of a build into output's staging folder, as build_site runs it."""
    settings = read_settings(str(Path(settings_file).resolve()), override=overrides or {})
    output = Path(output or settings["OUTPUT_PATH"]).resolve()
    settings["OUTPUT_PATH"] = str(previous_tree(output))
    # Unchanged pages are taken from the live output, by the incremental plugin.
    settings["INCREMENTAL_OUTPUT"] = str(output)
    if preview:
        # The preview serves the search index the folder has, and redoes it later; its files
        # are not the build's, and changing with every rebuild they would defeat the link
        # checker's cache.
        settings["INCREMENTAL_KEEP"] = [SEARCH_BUNDLE]
        settings["LINK_CHECKER_IGNORE"] = [SEARCH_BUNDLE]
    return settings


def build_site(
    settings_file: Path,
    output: Path | None = None,
    *,
    strict: bool = False,
    overrides: dict | None = None,
    pages_ready: Callable[[], None] | None = None,
    warm: "WarmSite | None" = None,
) -> Path:
    """Build the site described by settings_file into output and return output's path.

    A logged error always fails the build, and with strict a warning does too; on failure
    the previous output is left untouched and BuildError says why. With pages_ready (the
    preview), the pages go live with the previous search index, pages_ready is called, and
    the search index is rebuilt in place after. With warm (the preview, when only posts' text
    changed), the posts it has already read are written out instead of reading them all.
    """
    # Pelican logs a problem and goes on, so one build reports every problem; failing is ours.
    problems = ProblemReporter(sys.stderr)
    root_logger = logging.getLogger()
    root_logger.addHandler(problems)
    settings = None
    try:
        if warm is not None:
            settings = warm.settings
        else:
            settings = prepare_settings(settings_file, output, overrides, pages_ready is not None)
        problems.content_root = Path(settings["PATH"])
        output = Path(settings["INCREMENTAL_OUTPUT"])
        output.parent.mkdir(parents=True, exist_ok=True)
        with build_lock(output):
            remove_stale_staging(output)
            staging, reused = staging_tree(output)
            try:
                if warm is not None:
                    # The forked rebuild's warm site, as a build's own reading is (Site.run).
                    gc.freeze()
                    warm.write_output()
                else:
                    Site(settings).run()
                # After the writer, whatever the plugins' order: every page is written by now.
                check_links(settings)
                if problems.errors or (strict and problems.warnings):
                    raise BuildError("the problems above")
                search = settings.get("SEARCH_INDEX")
                parts = settings.get("SEARCH_PART_PAGES", 0)
                if search and pages_ready is not None:
                    if not (staging / SEARCH_BUNDLE).is_dir():
                        carry_over_index(output, staging)
                elif search and index_is_current(output, staging):
                    carry_over_index(output, staging)
                elif search:
                    index_site(staging, earlier=output / SEARCH_BUNDLE, part_pages=parts)
                swap_into_place(staging, output)
            except BaseException:
                keep_attempt(staging, attempted_tree(output))
                # A folder made for this build goes; a reused one stays, and the incremental
                # plugin's keys say which of its files can still be trusted.
                if not reused:
                    shutil.rmtree(staging, ignore_errors=True)
                raise
            shutil.rmtree(attempted_tree(output), ignore_errors=True)
            if pages_ready is not None:
                pages_ready()
                if search:
                    replace_index(output, part_pages=parts)
    except Exception as error:
        problems.report()
        counted = problems.errors + (problems.warnings if strict else 0)
        reason = f"{counted} problem(s) above" if counted else describe_exception(error)
        attempt = attempted_tree(Path(settings["INCREMENTAL_OUTPUT"])) if settings else None
        if attempt is not None and attempt.is_dir():
            shown = from_cwd(attempt)
            reason += f"; the attempted site is in {shown}/ (`invoke serve --output {shown}`)"
        raise BuildError(f"build failed, output left as it was: {reason}") from error
    finally:
        gc.unfreeze()
        root_logger.removeHandler(problems)
    problems.report()
    return output
