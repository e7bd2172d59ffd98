"""Command line for one build: `python -m sitebuild [--settings F] [--output D] [--strict]`."""

import argparse
from pathlib import Path

from sitebuild.build import BuildError, build_site
from sitebuild.site import show_summary


def main(argv: list[str] | None = None) -> None:
    """Build the site once; exit non-zero with the reason if the build fails."""
    parser = argparse.ArgumentParser(prog="python -m sitebuild", description=__doc__)
    parser.add_argument("--settings", type=Path, default=Path("pelicanconf.py"))
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    parser.add_argument("--content", type=Path, help="content folder (default: the settings')")
    parser.add_argument("--cache", type=Path, help="cache folder (default: the settings')")
    args = parser.parse_args(argv)
    overrides = {}
    if args.content:
        overrides["PATH"] = str(args.content.resolve())
    if args.cache:
        overrides["CACHE_PATH"] = str(args.cache.resolve())
    show_summary()
    try:
        build_site(args.settings, args.output, strict=args.strict, overrides=overrides)
    except BuildError as error:
        raise SystemExit(f"ERROR: {error}") from None


if __name__ == "__main__":
    main()
