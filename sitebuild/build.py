"""Build the site into a staging directory and swap it into place only when the build succeeds."""

import logging
import shutil
import tempfile
from pathlib import Path

import jinja2
import pelican.log
from pelican import Pelican
from pelican.settings import read_settings

logger = logging.getLogger(__name__)


class BuildError(Exception):
    """A build failed and the previous output was left as it was."""


class ProblemCounter(logging.Handler):
    """A logging handler that counts the warnings and errors logged during a build."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        """Count the record; printing it is the job of the caller's handlers."""
        self.count += 1


def describe_exception(error: BaseException) -> str:
    """Say what went wrong, with the template file and line for template errors."""
    if isinstance(error, jinja2.TemplateSyntaxError):
        return f"{error.filename or error.name}:{error.lineno}: template error: {error.message}"
    if isinstance(error, jinja2.TemplateError):
        return f"template error: {type(error).__name__}: {error}"
    return f"{type(error).__name__}: {error}"


def remove_stale_staging(output: Path) -> None:
    """Remove staging directories left behind by builds that were killed mid-way."""
    for stale in output.parent.glob(f".{output.name}.*"):
        shutil.rmtree(stale, ignore_errors=True)


def swap_into_place(staging: Path, output: Path) -> None:
    """Replace output with staging, so a reader sees the old site or the new one, never a mix."""
    retired = output.with_name(f".{output.name}.retired")
    shutil.rmtree(retired, ignore_errors=True)
    if output.exists():
        output.rename(retired)
    staging.rename(output)
    shutil.rmtree(retired, ignore_errors=True)


def build_site(
    settings_file: Path,
    output: Path | None = None,
    *,
    strict: bool = False,
    overrides: dict | None = None,
) -> Path:
    """Build the site described by settings_file into output and return output's path.

    A logged error always fails the build, and with strict a warning does too; on failure
    the previous output is left untouched and BuildError says why.
    """
    settings_file = Path(settings_file).resolve()
    problems = ProblemCounter()
    # Pelican raises as soon as it logs at the fatal level, so a build stops at its first problem.
    pelican.log.init(level=None, fatal="warnings" if strict else "errors", handler=None)
    root_logger = logging.getLogger()
    root_logger.addHandler(problems)
    staging = None
    try:
        settings = read_settings(str(settings_file), override=overrides or {})
        output = Path(output or settings["OUTPUT_PATH"]).resolve()
        output.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_staging(output)
        staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.building-", dir=output.parent))
        settings["OUTPUT_PATH"] = str(staging)
        Pelican(settings).run()
    except Exception as error:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        reason = (
            f"{problems.count} problem(s) reported above"
            if problems.count
            else describe_exception(error)
        )
        raise BuildError(f"build failed, output left as it was: {reason}") from error
    finally:
        root_logger.removeHandler(problems)
        # Logging after the build must not raise: only the build itself is fatal on problems.
        pelican.log.FatalLogger.fatal_lvl = logging.CRITICAL + 1
    swap_into_place(staging, output)
    return output
