"""Command line for the preview loop, which rebuilds in a fresh process to pick up code edits."""

import argparse
from pathlib import Path

from sitebuild.build import BuildError, build_site


def main(argv: list[str] | None = None) -> None:
    """Build the site once; exit non-zero with the reason if the build fails."""
    parser = argparse.ArgumentParser(prog="python -m sitebuild", description=__doc__)
    parser.add_argument("--settings", type=Path, default=Path("pelicanconf.py"))
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    args = parser.parse_args(argv)
    try:
        build_site(args.settings, args.output, strict=args.strict)
    except BuildError as error:
        raise SystemExit(f"ERROR: {error}") from None


if __name__ == "__main__":
    main()
