"""Project commands: `invoke --list` shows them, `invoke --help NAME` their options."""

import logging
import os
import shutil
import tempfile
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError
from invoke import Context, Exit, task

from bench.edit_loop import EditLoopError
from bench.measure import CommandFailed
from bench.suite import run_suite, summary
from deploy.publish import Clients, PublishError, load_settings
from deploy.publish import publish as publish_site
from sitebuild.build import BuildError, build_site
from sitebuild.policy import site_policy
from sitebuild.preview import serve_static, serve_with_reload
from sitebuild.site import show_summary
from sitebuild.staging import attempted_tree

PROJECT = Path(__file__).resolve().parent
LOCAL_SETTINGS = PROJECT / "pelicanconf.py"
PRODUCTION_SETTINGS = PROJECT / "publishconf.py"
OUTPUT = PROJECT / "output"
HOST = "127.0.0.1"


@task(
    help={
        "output": "directory to build into (default: output/)",
        "strict": "treat Pelican warnings as errors (always on when CI is set)",
        "prod": "build with publishconf.py, for the real SITEURL (from the environment)",
    }
)
def build(c: Context, output: str | None = None, strict: bool = False, prod: bool = False) -> None:
    """Build the site with pelicanconf.py; output/ changes only if the build succeeds."""
    show_summary()
    try:
        build_site(
            PRODUCTION_SETTINGS if prod else LOCAL_SETTINGS,
            Path(output) if output else OUTPUT,
            strict=strict or bool(os.environ.get("CI")),
        )
    except BuildError as error:
        raise Exit(f"ERROR: {error}", code=1) from None


@task
def clean(c: Context) -> None:
    """Delete output/, the last failed build's attempt, and the build caches."""
    for path in (OUTPUT, attempted_tree(OUTPUT), PROJECT / "cache"):
        shutil.rmtree(path, ignore_errors=True)


@task(pre=[clean], post=[build])
def rebuild(c: Context) -> None:
    """Delete output/ and the cache, then build from scratch."""


@task(
    help={
        "port": "port on 127.0.0.1 (default 8000)",
        "output": "directory to serve (default: output/)",
    }
)
def serve(c: Context, port: int = 8000, output: str | None = None) -> None:
    """Serve output/ as it is at http://127.0.0.1:8000/."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    serve_static(Path(output) if output else OUTPUT, HOST, port, site_policy(LOCAL_SETTINGS))


@task(aliases=["livereload"], help={"port": "port on 127.0.0.1 (default 8000)"})
def preview(c: Context, port: int = 8000) -> None:
    """Build, serve at http://127.0.0.1:8000/ and rebuild and reload the browser on every edit."""
    serve_with_reload(PROJECT, LOCAL_SETTINGS, OUTPUT, HOST, port)


@task(
    help={
        "skip_build": "upload output/ as it is (for pipelines that build in a step of their own)",
        "dry_run": "print the plan (uploads, updates, deletes, with reasons) and change nothing",
        "force_delete": "allow more deletes than the cap (PUBLISH_DELETE_SHARE of the bucket)",
        "wait": "wait until the CloudFront invalidation has completed",
    }
)
def publish(
    c: Context,
    skip_build: bool = False,
    dry_run: bool = False,
    force_delete: bool = False,
    wait: bool = False,
) -> None:
    """Build with publishconf.py, make the S3 bucket mirror output/, invalidate CloudFront."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if not skip_build:
        build(c, strict=True, prod=True)
    try:
        settings = load_settings(PRODUCTION_SETTINGS)
        publish_site(
            OUTPUT,
            settings,
            Clients.connect(settings),
            dry_run=dry_run,
            force_delete=force_delete,
            wait=wait,
        )
    except (PublishError, BotoCoreError, ClientError) as error:
        raise Exit(f"ERROR: publish failed: {error}", code=1) from None


@task(
    help={
        "posts": "posts in the side-by-side and edit-loop corpus (default 1000)",
        "runs": "builds of each kind, side by side with stock Pelican (default 3; 0 skips)",
        "edits": "timed saves of a post in the preview, body and title each (default 3; 0 skips)",
        "edit_sizes": "comma-separated corpus sizes the preview's edits are timed at "
        "(default 1000,10000)",
        "sizes": "comma-separated corpus sizes built for scaling (default 1000,2500,5000,10000)",
        "results": "also write the figures as JSON to this file",
        "photo_runs": "builds of the corpus with photos and without, each (default 3; 0 skips)",
    }
)
def bench(
    c: Context,
    posts: int = 1000,
    runs: int = 3,
    edits: int = 3,
    edit_sizes: str = "1000,10000",
    sizes: str = "1000,2500,5000,10000",
    results: str | None = None,
    photo_runs: int = 3,
) -> None:
    """Time builds against stock Pelican, the preview's edit loop, and growth to 10,000 posts."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    scale = [int(size) for size in sizes.split(",") if size.strip()]
    edit_scale = [int(size) for size in edit_sizes.split(",") if size.strip()]
    with tempfile.TemporaryDirectory(prefix="bench-") as workspace:
        try:
            report = run_suite(
                Path(workspace),
                posts,
                runs,
                edits,
                scale,
                edit_scale,
                Path(results) if results else None,
                photo_runs,
            )
        except (CommandFailed, EditLoopError) as error:
            raise Exit(f"ERROR: benchmark failed: {error}", code=1) from None
    logging.getLogger("bench").info("%s", summary(report))
