"""Command line for the preview loop, which rebuilds in a fresh process to pick up code edits."""

import argparse
import logging
import sys
from pathlib import Path

from sitebuild.build import BuildError, build_site


def main(argv: list[str] | None = None) -> int:
    """Build the site once and return the process exit status."""
    parser = argparse.ArgumentParser(prog="python -m sitebuild", description=__doc__)
    parser.add_argument("--settings", type=Path, default=Path("pelicanconf.py"))
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    args = parser.parse_args(argv)
    logging.basicConfig(format="%(levelname)s: %(message)s", stream=sys.stderr)
    try:
        build_site(args.settings, args.output, strict=args.strict)
    except BuildError as error:
        logging.getLogger("sitebuild").error("%s", error)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
