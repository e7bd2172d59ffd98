"""The benchmark suite behind `invoke bench`: side by side, edit loop, scaling, photos."""

import json
import logging
import shutil
import statistics
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.corpus import PROJECT, add_photos, write_corpus
from bench.edit_loop import measure_edit_loop
from bench.measure import Measurement, run_measured

logger = logging.getLogger(__name__)

GOAL_RATIO = 0.5
# Save to reload in the preview: a post's text edited, by site size; its title, at 1,000 posts.
GOAL_TEXT_EDIT_SECONDS = {1000: 0.3, 10000: 1.0}
GOAL_TITLE_EDIT_SECONDS = 1.0
GOAL_PEAK_BYTES = 1024**3
# A corpus where one post in five shows photos, against the same posts without: from nothing
# within 2x; nothing changed, and a text edit in the preview, within 10%.
GOAL_PHOTOS_COLD_RATIO = 2.0
GOAL_PHOTOS_STEADY_RATIO = 1.10
# Builds of nothing changed timed per run of builds from nothing, cheap next to those.
NO_CHANGE_BUILDS_PER_RUN = 2


@dataclass
class Report:
    """Every figure of one benchmark run."""

    posts: int
    runs: int
    stock_cold: list[float] = field(default_factory=list)
    engine_cold: list[float] = field(default_factory=list)
    engine_warm_cache: list[float] = field(default_factory=list)
    engine_no_change: list[float] = field(default_factory=list)
    # Seconds of each timed edit, by corpus size, then by kind of edit.
    edit_loop: dict[int, dict[str, list[float]]] = field(default_factory=dict)
    scaling: dict[int, Measurement] = field(default_factory=dict)
    # Seconds by corpus ("without" photos, "with" them), then by kind: cold, first_rebuild,
    # no_change, text_edit.
    photos: dict[str, dict[str, list[float]]] = field(default_factory=dict)


def stock_build(corpus: Path, output: Path) -> Measurement:
    """Build the corpus with stock Pelican, from nothing."""
    shutil.rmtree(output, ignore_errors=True)
    settings = PROJECT / "bench" / "stockconf.py"
    command = [sys.executable, "-m", "pelican", str(corpus), "-s", str(settings), "-o", str(output)]
    return run_measured([*command, "-q"])


def engine_build(
    corpus: Path, output: Path, cache: Path, keep: tuple[str, ...] = ()
) -> Measurement:
    """Build the corpus with this engine; keep names what survives from the last build."""
    if "output" not in keep:
        shutil.rmtree(output, ignore_errors=True)
    if "cache" not in keep:
        shutil.rmtree(cache, ignore_errors=True)
    command = [sys.executable, "-m", "sitebuild", "--settings", str(PROJECT / "pelicanconf.py")]
    command += ["--content", str(corpus), "--output", str(output), "--cache", str(cache)]
    return run_measured(command, cwd=PROJECT)


def side_by_side(report: Report, workspace: Path) -> None:
    """Alternate stock and engine builds of the same posts, so both see the same machine."""
    stock_corpus = write_corpus(workspace / "stock-content", report.posts, "pelican-stock")
    corpus = write_corpus(workspace / "content", report.posts, "engine")
    output, cache = workspace / "output", workspace / "cache"
    for run in range(report.runs):
        report.stock_cold.append(stock_build(stock_corpus, workspace / "stock-output").seconds)
        report.engine_cold.append(engine_build(corpus, output, cache).seconds)
        warm = engine_build(corpus, output, cache, keep=("cache",))
        report.engine_warm_cache.append(warm.seconds)
        same = engine_build(corpus, output, cache, keep=("cache", "output"))
        report.engine_no_change.append(same.seconds)
        logger.info("run %d/%d done", run + 1, report.runs)


def scaling(report: Report, workspace: Path, sizes: list[int]) -> None:
    """Build corpora of growing size from nothing, for time and peak memory."""
    for size in sizes:
        folder = workspace / f"scale-{size}"
        corpus = write_corpus(folder / "content", size, "engine")
        report.scaling[size] = engine_build(corpus, folder / "output", folder / "cache")
        logger.info("%d posts: %.2f s", size, report.scaling[size].seconds)
        shutil.rmtree(folder, ignore_errors=True)


def build_beside(corpus: Path, keep: tuple[str, ...] = ("cache", "output")) -> float:
    """Seconds to build a corpus into the output and cache folders beside it."""
    return engine_build(corpus, corpus.parent / "output", corpus.parent / "cache", keep).seconds


def with_and_without_photos(report: Report, workspace: Path, runs: int, edits: int) -> None:
    """Build, rebuild and edit the same posts with photos and without, alternately."""
    corpora = {
        label: write_corpus(workspace / f"photos-{label}" / "content", report.posts, "engine")
        for label in ("without", "with")
    }
    shown = add_photos(corpora["with"])
    edited = shown[len(shown) // 2]
    for label in corpora:
        report.photos[label] = {"cold": [], "first_rebuild": [], "no_change": [], "text_edit": []}

    for run in range(runs):
        for label in corpora:
            times = report.photos[label]
            times["cold"].append(build_beside(corpora[label], keep=()))
            # The first build after one from nothing also fills the folder that builds
            # alternate with (sitebuild.staging) with links to every file; the builds after it
            # reuse that folder, as every rebuild of a working site does.
            times["first_rebuild"].append(build_beside(corpora[label]))
        logger.info("photos: run %d/%d done", run + 1, runs)
    # Builds of nothing changed, the two corpora in turn, away from the builds from nothing:
    # right after one, a build also measures the machine settling down from it.
    for _ in range(runs * NO_CHANGE_BUILDS_PER_RUN):
        for label in corpora:
            report.photos[label]["no_change"].append(build_beside(corpora[label]))
    if edits:
        for label, corpus in corpora.items():
            loop = measure_edit_loop(corpus, workspace, edits, post_name=edited, titles=False)
            report.photos[label]["text_edit"] = loop["body_edit"]
    for corpus in corpora.values():
        shutil.rmtree(corpus.parent, ignore_errors=True)


def photo_lines(report: Report) -> list[str]:
    """The photo corpus's figures against the same posts without photos, and their goals."""
    lines = [
        "",
        "| one post in five with photos | without, s | with, s | ratio | goal |",
        "|---|---:|---:|---:|---|",
    ]
    goals = {
        "cold": ("from nothing", GOAL_PHOTOS_COLD_RATIO),
        "first_rebuild": ("nothing changed, first build after one from nothing", None),
        "no_change": ("nothing changed", GOAL_PHOTOS_STEADY_RATIO),
        "text_edit": ("text edit in the preview, save to reload", GOAL_PHOTOS_STEADY_RATIO),
    }
    for kind, (label, goal) in goals.items():
        without, with_photos = (median(report.photos[c].get(kind, [])) for c in ("without", "with"))
        if not without:
            continue
        ratio = with_photos / without
        met = goal is not None and ratio <= goal
        verdict = "no goal" if goal is None else f"≤ {goal}x: {'met' if met else 'NOT met'}"
        lines.append(
            f"| {label} | {spread(report.photos['without'][kind])} | "
            f"{spread(report.photos['with'][kind])} | {ratio:.2f} | {verdict} |"
        )
    return lines


def median(values: list[float]) -> float:
    """The median, or 0 for no values."""
    return statistics.median(values) if values else 0.0


def spread(values: list[float]) -> str:
    """A median with the range it came from."""
    if len(values) < 2:
        return f"{median(values):.2f}"
    return f"{median(values):.2f} ({min(values):.2f} to {max(values):.2f})"


def goal_line(label: str, seconds: float, goal: float | None) -> str:
    """Say whether a figure meets its goal, when it has one."""
    if goal is None:
        return f"{label}: no goal at this size"
    return f"{label}: {'met' if seconds <= goal else 'NOT met'} (goal ≤ {goal} s)"


def edit_loop_lines(report: Report) -> list[str]:
    """The preview's save-to-reload figures by size, their goals, and their growth."""
    lines = [
        "",
        "| Preview, save to reload | posts | text edit, s | title edit, s |",
        "|---|---:|---:|---:|",
    ]
    for size, times in sorted(report.edit_loop.items()):
        body, title = times["body_edit"], times["title_edit"]
        lines.append(f"| median (min to max) | {size} | {spread(body)} | {spread(title)} |")
    lines.append("")
    for size, times in sorted(report.edit_loop.items()):
        body, title = median(times["body_edit"]), median(times["title_edit"])
        lines.append(
            goal_line(f"Goal, text edit at {size}", body, GOAL_TEXT_EDIT_SECONDS.get(size))
        )
        if size == 1000:
            lines.append(goal_line("Goal, title edit at 1000", title, GOAL_TITLE_EDIT_SECONDS))
    sizes = sorted(report.edit_loop)
    if len(sizes) > 1:
        first, last = (median(report.edit_loop[s]["body_edit"]) for s in (sizes[0], sizes[-1]))
        growth = last / first if first else 0.0
        lines.append(f"Text edit growth from {sizes[0]} to {sizes[-1]} posts: {growth:.1f}x")
    return lines


def summary(report: Report) -> str:
    """The report as Markdown, with each goal and whether it was met."""
    stock, cold = median(report.stock_cold), median(report.engine_cold)
    lines = [f"Posts: {report.posts}, runs: {report.runs} (medians, seconds, wall clock)"]
    if stock:
        lines += [
            "",
            "| build | seconds | x stock |",
            "|---|---:|---:|",
            f"| stock Pelican, from nothing | {spread(report.stock_cold)} | 1.00 |",
        ]
        for label, values in (
            ("this engine, from nothing", report.engine_cold),
            ("this engine, read cache kept, every page rendered", report.engine_warm_cache),
            ("this engine, nothing changed", report.engine_no_change),
        ):
            lines.append(f"| {label} | {spread(values)} | {median(values) / stock:.2f} |")
        met = "met" if cold <= GOAL_RATIO * stock else "NOT met"
        lines += ["", f"Goal: from nothing ≤ {GOAL_RATIO}x stock: {met} ({cold / stock:.2f}x)"]
    if report.edit_loop:
        lines += edit_loop_lines(report)
    if report.scaling:
        lines += [
            "",
            "| posts | seconds | ms per post | peak memory (MiB) |",
            "|---:|---:|---:|---:|",
        ]
        for size, measured in sorted(report.scaling.items()):
            per_post = 1000 * measured.seconds / size
            lines.append(
                f"| {size} | {measured.seconds:.2f} | {per_post:.2f} | "
                f"{measured.peak_bytes / 1024**2:.0f} |"
            )
        largest = report.scaling[max(report.scaling)]
        met = "met" if largest.peak_bytes <= GOAL_PEAK_BYTES else "NOT met"
        lines += ["", f"Goal: peak memory ≤ 1 GiB at the largest size: {met}"]
    if report.photos:
        lines += photo_lines(report)
    return "\n".join(lines)


def edit_loops(report: Report, workspace: Path, edits: int, sizes: list[int]) -> None:
    """Time the preview's edit loop on corpora of each size."""
    for size in sizes:
        corpus = workspace / "content" if size == report.posts else workspace / f"edit-{size}"
        if not corpus.is_dir():
            write_corpus(corpus, size, "engine")
        report.edit_loop[size] = measure_edit_loop(corpus, workspace, edits)
        logger.info("edit loop at %d posts done", size)
        if corpus.name != "content":
            shutil.rmtree(corpus, ignore_errors=True)


def run_suite(
    workspace: Path,
    posts: int,
    runs: int,
    edits: int,
    sizes: list[int],
    edit_sizes: list[int],
    results: Path | None = None,
    photo_runs: int = 0,
) -> Report:
    """Run every benchmark asked for and return the report; save it as JSON if asked."""
    workspace.mkdir(parents=True, exist_ok=True)
    report = Report(posts=posts, runs=runs)
    if runs:
        side_by_side(report, workspace)
    if edits:
        edit_loops(report, workspace, edits, edit_sizes)
    scaling(report, workspace, sizes)
    if photo_runs:
        with_and_without_photos(report, workspace, photo_runs, edits)
    if results:
        results.write_text(json.dumps(asdict(report), indent=2) + "\n", encoding="utf-8")
    return report
