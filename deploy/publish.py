"""Make the bucket mirror output/: plan, write, then delete, then invalidate, and report."""

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from pelican.settings import read_settings

from deploy import cloudfront, redirects, s3
from deploy.plan import Action, Plan, Step, check_output, delete_allowance, local_files, make_plan

logger = logging.getLogger(__name__)

DEFAULT_DELETE_SHARE = 0.2
FREE_PATHS_PER_MONTH = 1000
DEFAULT_MAX_ATTEMPTS = 10


class PublishError(Exception):
    """A publish stopped; the message says what was and was not changed."""


@dataclass(frozen=True)
class PublishSettings:
    """Where and how to publish, from the environment over publishconf.py's defaults."""

    bucket: str
    region: str | None = None
    distribution_id: str | None = None
    # The CloudFront key-value store the viewer-request function reads old addresses from.
    redirects_store: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None
    delete_share: float = DEFAULT_DELETE_SHARE
    path_budget: int = FREE_PATHS_PER_MONTH
    max_attempts: int = DEFAULT_MAX_ATTEMPTS

    @classmethod
    def load(cls, defaults: Mapping, environ: Mapping[str, str] = os.environ) -> "PublishSettings":
        """Read each setting from the environment, else from the settings module's defaults."""

        def pick(name: str, default=None):
            value = environ.get(name) or defaults.get(name)
            return default if value in (None, "") else value

        bucket = pick("S3_BUCKET")
        if not bucket:
            raise PublishError("set S3_BUCKET (in the environment or publishconf.py)")
        return cls(
            bucket=bucket,
            region=pick("AWS_REGION"),
            distribution_id=pick("CLOUDFRONT_DISTRIBUTION_ID"),
            redirects_store=pick("CLOUDFRONT_REDIRECTS_STORE_ARN"),
            profile=pick("AWS_PROFILE"),
            endpoint_url=pick("AWS_ENDPOINT_URL"),
            delete_share=float(pick("PUBLISH_DELETE_SHARE", DEFAULT_DELETE_SHARE)),
            path_budget=int(pick("CLOUDFRONT_PATH_BUDGET", FREE_PATHS_PER_MONTH)),
            max_attempts=int(pick("PUBLISH_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS)),
        )


def load_settings(settings_file: Path) -> PublishSettings:
    """Publish settings from the environment over the defaults in a Pelican settings file."""
    return PublishSettings.load(read_settings(str(settings_file)))


@dataclass
class Clients:
    """The AWS clients a publish uses."""

    s3: object
    cloudfront: object | None
    redirects: object | None = None

    @classmethod
    def connect(cls, settings: PublishSettings) -> "Clients":
        """Clients from boto3's credential chain, retrying throttling and dropped connections."""
        session = boto3.Session(profile_name=settings.profile, region_name=settings.region)
        config = Config(
            retries={"mode": "standard", "max_attempts": settings.max_attempts},
            # S3-compatible stores may reject the CRC checksums boto3 now sends by default.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        )
        s3_client = session.client("s3", endpoint_url=settings.endpoint_url, config=config)
        distribution = None
        if settings.distribution_id:
            distribution = session.client(
                "cloudfront", endpoint_url=settings.endpoint_url, config=config
            )
        store = None
        if settings.redirects_store:
            # Signed with SigV4A, which botocore does through awscrt (botocore[crt]).
            store = session.client(
                "cloudfront-keyvaluestore", endpoint_url=settings.endpoint_url, config=config
            )
        return cls(s3_client, distribution, store)


@dataclass
class Summary:
    """What a publish did."""

    totals: dict[str, int]
    invalidated: list[str]
    invalidation_id: str | None = None


def describe_step(step: Step) -> str:
    """One line of the plan."""
    return f"{step.action.value:<7} {step.key}  ({step.reason})"


def log_plan(plan: Plan) -> None:
    """Print the plan, step by step, with totals."""
    for step in plan.steps:
        logger.info("%s", describe_step(step))
    logger.info("plan: %s", format_totals(plan.totals()))


def format_totals(totals: dict[str, int]) -> str:
    """`3 upload, 1 update, ...` in a fixed order."""
    return ", ".join(f"{count} {name}" for name, count in totals.items())


def publish(
    output: Path,
    settings: PublishSettings,
    clients: Clients,
    *,
    dry_run: bool = False,
    force_delete: bool = False,
    wait: bool = False,
) -> Summary:
    """Make the bucket mirror output; deletes only after every write succeeded."""
    local = local_files(output)
    problem = check_output(output, local)
    if problem:
        raise PublishError(f"nothing published: {problem}")
    remote = s3.remote_objects(clients.s3, settings.bucket)
    plan = make_plan(local, remote)
    allowance = delete_allowance(plan.remote_count, settings.delete_share)
    too_many_deletes = len(plan.deletes) > allowance and not force_delete
    changed = [step.key for step in plan.steps if step.action is not Action.UPLOAD]
    paths = cloudfront.invalidation_paths(changed) if clients.cloudfront else []

    if dry_run:
        log_plan(plan)
        if paths:
            logger.info("would invalidate %d CloudFront path(s)", len(paths))
        if too_many_deletes:
            logger.warning(
                "a real publish would refuse: %d deletes exceed the cap of %d",
                len(plan.deletes),
                allowance,
            )
        logger.info("dry run: nothing was changed")
        return Summary(plan.totals(), [])

    if too_many_deletes:
        raise PublishError(
            f"nothing published: {len(plan.deletes)} of {plan.remote_count} objects would be "
            f"deleted, more than the cap of {allowance} ({settings.delete_share:.0%}); "
            "check output/, or pass --force-delete"
        )

    writes = plan.writes
    progress = Progress(len(writes) + len(plan.deletes))
    failures = s3.write_all(clients.s3, settings.bucket, writes, progress.done)
    if failures:
        for step, error in failures:
            logger.error("%s failed: %s", describe_step(step), error)
        raise PublishError(
            f"{len(failures)} write(s) failed; nothing was deleted and nothing invalidated. "
            "Publishing again resumes where this stopped."
        )
    # Old addresses answer before any file they replace is deleted.
    publish_redirects(output, settings, clients)
    s3.delete_all(clients.s3, settings.bucket, plan.deletes, progress.done)

    summary = Summary(plan.totals(), [])
    if paths:
        summary.invalidated = fit_budget(clients.cloudfront, settings, paths)
        summary.invalidation_id = cloudfront.invalidate(
            clients.cloudfront, settings.distribution_id, summary.invalidated, wait=wait
        )
    logger.info("published: %s", format_totals(summary.totals))
    if summary.invalidated:
        logger.info(
            "invalidated %d CloudFront path(s) (%s)",
            len(summary.invalidated),
            summary.invalidation_id,
        )
    return summary


def publish_redirects(output: Path, settings: PublishSettings, clients: Clients) -> None:
    """Put the build's map of old addresses in CloudFront's key-value store."""
    try:
        wanted = redirects.built_map(output)
    except redirects.RedirectsError as error:
        raise PublishError(f"every file is written, but not the redirects: {error}") from None
    if wanted is None:
        return
    if clients.redirects is None:
        if wanted:
            logger.warning(
                "%d old address(es) not redirected: set CLOUDFRONT_REDIRECTS_STORE_ARN to the "
                "stack's RedirectsStoreArn",
                len(wanted),
            )
        return
    try:
        redirects.sync_redirects(clients.redirects, settings.redirects_store, wanted)
    except ClientError as error:
        raise PublishError(
            f"every file is written, but the redirects were not updated ({error}); nothing was "
            "deleted. Publishing again retries."
        ) from None


def fit_budget(client, settings: PublishSettings, paths: list[str]) -> list[str]:
    """The paths to invalidate, collapsed to wildcards when they exceed what is left this month."""
    used = cloudfront.paths_used_this_month(client, settings.distribution_id)
    left = max(settings.path_budget - used, 1)
    fitted = cloudfront.collapse(paths, left)
    if fitted != paths:
        logger.info(
            "%d paths exceed the %d left of the monthly budget; invalidating %s",
            len(paths),
            left,
            ", ".join(fitted),
        )
    return fitted


class Progress:
    """Log each finished step with a running count."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.count = 0

    def done(self, step: Step) -> None:
        """Record one finished step."""
        self.count += 1
        logger.info("[%d/%d] %s", self.count, self.total, describe_step(step))
