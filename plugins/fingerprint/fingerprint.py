"""Publish the theme's static files under names that carry a hash of their content.

`theme/static/css/site.css` is written as `theme/css/site.3f9a1c2b7d.css`, so a browser or CDN
may cache it for a year: a changed file gets a new name. Templates find the names in
`theme_assets`, e.g. `{{ SITEURL }}/{{ theme_assets["css/site.css"] }}`; an unknown name fails
the build under StrictUndefined. CSS and JavaScript are minified first (rcssmin, rjsmin).
Set `THEME_STATIC_PATHS = []` so Pelican does not also copy the unhashed files.
"""

import hashlib
import logging
from pathlib import Path

import rcssmin
import rjsmin
from pelican import signals

logger = logging.getLogger(__name__)

DEFAULT_SOURCE = "static"
DEFAULT_MINIFY = True
HASH_LENGTH = 10
MINIFIERS = {".css": rcssmin.cssmin, ".js": rjsmin.jsmin}


def hashed_name(relative: str, content: bytes) -> str:
    """The path with a content hash before its extension: css/site.css → css/site.<hash>.css."""
    digest = hashlib.sha256(content).hexdigest()[:HASH_LENGTH]
    folder, _, name = relative.rpartition("/")
    stem, dot, suffix = name.rpartition(".")
    hashed = f"{stem}.{digest}.{suffix}" if dot else f"{name}.{digest}"
    return f"{folder}/{hashed}" if folder else hashed


def static_files(settings: dict) -> dict[str, Path]:
    """Every file under the theme's static folder, by its path relative to that folder."""
    source = Path(settings["THEME"], settings.get("FINGERPRINT_SOURCE", DEFAULT_SOURCE))
    if not source.is_dir():
        return {}
    return {
        path.relative_to(source).as_posix(): path
        for path in sorted(source.rglob("*"))
        if path.is_file() and not path.name.startswith(".")
    }


def published_bytes(path: Path, minify: bool) -> bytes:
    """A file's content as published: CSS and JavaScript minified when asked."""
    minifier = MINIFIERS.get(path.suffix) if minify else None
    if minifier is None:
        return path.read_bytes()
    return minifier(path.read_text(encoding="utf-8")).encode("utf-8")


def assets(settings: dict) -> dict[str, tuple[str, bytes]]:
    """Map each static file to its hashed path in the output and its published content."""
    prefix = settings.get("THEME_STATIC_DIR", "theme")
    minify = settings.get("FINGERPRINT_MINIFY", DEFAULT_MINIFY)
    published = {}
    for relative, path in static_files(settings).items():
        content = published_bytes(path, minify)
        published[relative] = (f"{prefix}/{hashed_name(relative, content)}", content)
    return published


def publish_asset_paths(generator) -> None:
    """Give templates the hashed path of every theme asset, as `theme_assets`."""
    if "theme_assets" not in generator.context:
        paths = {relative: target for relative, (target, _) in assets(generator.settings).items()}
        generator.context["theme_assets"] = paths


def write_assets(pelican) -> None:
    """Copy each theme asset to its hashed path in the output."""
    for target, content in assets(pelican.settings).values():
        destination = Path(pelican.output_path, target)
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(content)


def register() -> None:
    """Connect the handlers to Pelican's signals."""
    signals.generator_init.connect(publish_asset_paths)
    signals.finalized.connect(write_assets)
