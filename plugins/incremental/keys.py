"""Digests that say whether the settings, the code, a source or a page has changed."""

import hashlib
import os
import re
from datetime import date
from importlib import metadata as distributions
from pathlib import Path

from pelican.contents import Content
from pelican.urlwrappers import URLWrapper

# Python's packages whose code shapes what a source reads as or a page renders as.
DEFAULT_PACKAGES = (
    "pelican",
    "markdown",
    "pygments",
    "pymdown-extensions",
    "typogrify",
    "smartypants",
    "jinja2",
    "feedgenerator",
)


# Settings that name where this build writes, which differs from build to build.
VOLATILE_SETTINGS = frozenset(
    {"OUTPUT_PATH", "INCREMENTAL_OUTPUT", "localsiteurl", "INCREMENTAL_BUILD_STATE"}
)


MEMORY_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def stable_text(value: object, describe) -> str:
    """A text for a value that is equal for equal values in any process; describe gives parts'."""
    if value is None or isinstance(value, str | bool | int | float):
        return repr(value)
    if isinstance(value, Content):
        return f"Content({value.source_path!r})"
    if isinstance(value, URLWrapper):
        return f"{type(value).__name__}({value.name!r},{value.slug!r},{value.url!r})"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return (
            "{" + ",".join(sorted(f"{describe(k)}:{describe(v)}" for k, v in value.items())) + "}"
        )
    if isinstance(value, set | frozenset):
        return "{" + ",".join(sorted(describe(item) for item in value)) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(describe(item) for item in value) + "]"
    if isinstance(value, os.PathLike):
        return repr(os.fspath(value))
    return MEMORY_ADDRESS.sub("", repr(value))


def plain_text(value: object) -> str:
    """A stable text for a value, naming any post in it by its source."""
    return stable_text(value, plain_text)


def digest(*parts: str | bytes) -> str:
    """A hex digest of some texts, none of which can run into the next."""
    hasher = hashlib.blake2b(digest_size=20)
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "little"))
        hasher.update(data)
    return hasher.hexdigest()


def folder_digest(folders: list[str]) -> str:
    """A digest of every file below some folders, names and bytes."""
    parts = []
    for folder in folders:
        root = Path(folder)
        for path in sorted(root.rglob("*")) if root.is_dir() else []:
            if path.is_file() and "__pycache__" not in path.parts:
                parts += [path.relative_to(root).as_posix(), path.read_bytes()]
    return digest(*parts)


def settings_text(settings: dict) -> str:
    """The settings as stable text, without those naming this build's output folder."""
    return plain_text({k: v for k, v in settings.items() if k not in VOLATILE_SETTINGS})


def package_versions(settings: dict) -> str:
    """The installed versions of the packages that shape the output."""
    versions = []
    for name in settings.get("INCREMENTAL_PACKAGES", DEFAULT_PACKAGES):
        try:
            versions.append(f"{name}=={distributions.version(name)}")
        except distributions.PackageNotFoundError:
            versions.append(f"{name} absent")
    return ",".join(versions)


def environment_digest(settings: dict) -> str:
    """A digest of everything besides the sources that shapes the built site."""
    return digest(
        settings_text(settings),
        folder_digest(settings.get("PLUGIN_PATHS", [])),
        folder_digest([settings["THEME"]]),
        package_versions(settings),
    )
