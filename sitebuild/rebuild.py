"""The preview's rebuilds, each forked from a process that keeps build code and site warm."""

import contextlib
import importlib
import logging
import os
import re
import sys
import tempfile
import threading
import traceback
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import blinker
import pygments.lexers
import pygments.util
from pelican.plugins import signals as pelican_signals

from sitebuild import signals as warm_signals

if TYPE_CHECKING:
    from sitebuild.warm import WarmSite

logger = logging.getLogger(__name__)

# Third-party modules every build imports: imported once here, they are warm in each rebuild.
WARM_MODULES = (
    "pelican",
    "pelican.generators",
    "pelican.readers",
    "pelican.writers",
    "markdown",
    "pymdownx.highlight",
    "pymdownx.superfences",
    "pygments.formatters.html",
    "typogrify.filters",
    "jinja2",
    "feedgenerator",
    "selectolax.lexbor",
    "rcssmin",
    "rjsmin",
    "cbor2",
)
# What a rebuild tells this process when its pages are live: whether it wrote the warm site.
PAGES_READY = b"R"
PAGES_READY_WARM = b"W"
# The language of a fenced code block: ```ruby, ~~~ python, ```{.sh title="x"}.
FENCE_LANGUAGE = re.compile(r"^\s*(?:`{3,}|~{3,})\s*\{?\s*\.?([\w+#.-]+)", re.MULTILINE)


class PreviewBuild:
    """Rebuild the site in a process forked from this one, and remember what broke, if anything.

    This process imports the libraries a build needs, and the project's build code and
    plugins, so each forked rebuild starts warm; after an edit to that code it imports it
    afresh before forking (settings and templates are read by every build anyway). It also
    keeps the site as read after the last full rebuild (a WarmSite), so that a rebuild after
    edits to posts' text only writes pages. A rebuild reports back as soon as its pages are
    live; it then goes on to redo the search index, which the next rebuild waits for.
    """

    def __init__(
        self,
        project: Path,
        settings_file: Path,
        output: Path,
        later: Callable[[Callable[[], None]], None] | None = None,
    ) -> None:
        self.project = project
        self.settings_file = settings_file
        self.output = output
        # Runs work once the browser has been told to reload (by default, at once).
        self.later = later or (lambda work: work())
        self.problems: str | None = None
        self.indexing: tuple[int, BinaryIO] | None = None
        self.code_loaded = False
        self.kept: WarmSite | None = None
        # The site is read in a thread, so that the servers answer meanwhile (for some seconds
        # on a large site); nothing forks, nor uses what it reads, until it is done.
        self.reading: threading.Thread | None = None
        for name in WARM_MODULES:
            importlib.import_module(name)
        warm_lexers(project / "content")

    def __call__(self, changed: list[str] | None = None) -> None:
        """Rebuild, returning once the new pages are live or the build has failed."""
        self.wait_for_reading()
        self.finish_indexing()
        if not self.code_loaded or any(self.is_code(path) for path in changed or []):
            self.load_project_code()
        if self.warm is not None and not self.only_content(changed):
            self.drop_warm_site()  # settings or theme changed: read everything again after
        log, log_writer = open_log()
        ready_read, ready_write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(ready_read)
            os._exit(build_in_child(self, log_writer, ready_write))
        os.close(ready_write)
        os.close(log_writer)
        with os.fdopen(ready_read, "rb") as ready:
            signal = ready.read(1)
        if signal in (PAGES_READY, PAGES_READY_WARM):
            self.indexing = (pid, log)
            self.report(log, failed=False)
            if signal == PAGES_READY:
                self.drop_warm_site()
                self.later(self.read_warm_site)
        else:
            self.report(log, failed=exit_code(pid) != 0)
            log.close()

    @property
    def warm(self) -> "WarmSite | None":
        """The site as read for the rebuilds after the last full one, once it is read."""
        self.wait_for_reading()
        return self.kept

    def read_warm_site(self) -> None:
        """Start reading the site for the next rebuilds, unless a rebuild did since it was asked."""
        if self.kept is not None or self.reading is not None:
            return
        try:
            # The build code as last loaded, which may be newer than this module.
            warm = importlib.import_module("sitebuild.warm")
        except Exception:  # rebuilds stay full; the next one reports the broken code
            logger.debug("could not import the warm site's code", exc_info=True)
            return

        def read() -> None:
            self.kept = warm.WarmSite.read(self.settings_file, self.output)

        self.reading = threading.Thread(target=read, name="warm-site", daemon=True)
        self.reading.start()

    def wait_for_reading(self) -> None:
        """Wait until the site being read for the next rebuilds is read, if it is being read."""
        if self.reading is not None:
            self.reading.join()
            self.reading = None

    def drop_warm_site(self) -> None:
        """Let go of the site as read, and of all it holds."""
        self.wait_for_reading()
        if self.kept is not None:
            self.kept.close()
            self.kept = None

    def only_content(self, changed: list[str] | None) -> bool:
        """Whether every changed file is a source in the content folder the warm site read."""
        content = self.warm.settings["PATH"] if self.warm is not None else None
        return bool(changed) and content is not None and all(is_within(p, content) for p in changed)

    def is_code(self, path: str) -> bool:
        """Whether a changed file is Python that a build imports (not content or settings)."""
        return path.endswith(".py") and Path(path).resolve() != self.settings_file.resolve()

    def load_project_code(self) -> None:
        """Import the build code and plugins afresh, for the rebuilds forked from now on."""
        # The warm site holds the old plugins, connected to Pelican's signals: let them all go.
        self.drop_warm_site()
        disconnect_plugins()
        forget_project_modules(self.project)
        plugins = str(self.project / "plugins")
        if plugins not in sys.path:
            sys.path.insert(0, plugins)
        packages = sorted(p.parent.name for p in (self.project / "plugins").glob("*/__init__.py"))
        for name in ["sitebuild.build", "sitebuild.warm", *packages]:
            try:
                importlib.import_module(name)
            except Exception:  # the rebuild imports it again and reports the error properly
                logger.debug("could not import %s ahead of the rebuild", name, exc_info=True)
        self.code_loaded = True

    def finish_indexing(self) -> None:
        """Wait for the previous rebuild to finish its search index, and report how it went."""
        if self.indexing is None:
            return
        pid, log = self.indexing
        self.indexing = None
        self.report(log, failed=exit_code(pid) != 0)
        log.close()

    def report(self, log: BinaryIO, failed: bool) -> None:
        """Print what the rebuild printed since the last report; keep it if the build failed."""
        text = log.read().decode("utf-8", "replace")
        sys.stderr.write(text)
        sys.stderr.flush()
        self.problems = text if failed else None
        if failed:
            logger.error("rebuild failed; output/ keeps the last good build")


def warm_lexers(content: Path) -> None:
    """Load the Pygments lexers the posts' code fences name, so rebuilds need not."""
    languages = set()
    for source in content.rglob("*.md"):
        languages.update(
            FENCE_LANGUAGE.findall(source.read_text(encoding="utf-8", errors="ignore"))
        )
    for language in sorted(languages):
        with contextlib.suppress(pygments.util.ClassNotFound):
            pygments.lexers.get_lexer_by_name(language)


def open_log() -> tuple[BinaryIO, int]:
    """An unnamed file that a child appends to, and that this process reads as it grows."""
    with tempfile.NamedTemporaryFile(prefix="preview-", suffix=".log", delete=False) as file:
        path = file.name
    writer = os.open(path, os.O_WRONLY | os.O_APPEND)
    reader = open(path, "rb")  # noqa: SIM115 - closed when the rebuild is over
    os.unlink(path)
    return reader, writer


def exit_code(pid: int) -> int:
    """Wait for a child and return its exit code."""
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def build_in_child(build: PreviewBuild, log: int, ready: int) -> int:
    """Run one build in a forked child, printing to log; return the exit code."""
    os.dup2(log, 1)
    os.dup2(log, 2)

    warm = None

    def pages_ready() -> None:
        sys.stdout.flush()
        sys.stderr.flush()
        os.write(ready, PAGES_READY if warm is None else PAGES_READY_WARM)

    try:
        os.chdir(build.project)
        builder = importlib.import_module("sitebuild.build")
        if build.warm is not None and build.warm.take_text_edits():
            warm = build.warm
        try:
            builder.build_site(
                build.settings_file, build.output, pages_ready=pages_ready, warm=warm
            )
        except builder.BuildError as error:
            sys.stderr.write(f"ERROR: {error}\n")
            return 1
        return 0
    except BaseException:
        traceback.print_exc()
        return 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()


def disconnect_plugins() -> None:
    """Disconnect every handler from Pelican's and the warm site's signals before plugins reload."""
    for signal in [*vars(pelican_signals).values(), *vars(warm_signals).values()]:
        if not isinstance(signal, blinker.Signal):
            continue
        for receiver in list(signal.receivers.values()):
            handler = receiver() if isinstance(receiver, weakref.ref) else receiver
            if handler is not None:
                signal.disconnect(handler)


def forget_project_modules(project: Path) -> None:
    """Drop the project's own modules, so the next import reads their current source."""
    root, installed = project.resolve(), Path(sys.prefix).resolve()
    for name, module in list(sys.modules.items()):
        source = getattr(module, "__file__", None)
        if not source:
            continue
        path = Path(source).resolve()
        # The virtual environment may live inside the project; its libraries stay warm.
        if path.is_relative_to(root) and not path.is_relative_to(installed):
            del sys.modules[name]


def is_within(file: str, watched: str) -> bool:
    """Whether a changed file is the watched path or lies below it."""
    return Path(file).resolve().is_relative_to(Path(watched).resolve())
