"""The pages a build plans, and rendering them, in this process or in a worker."""

import os
from dataclasses import dataclass

from pelican.paginator import Paginator
from pelican.utils import sanitised_join

from .logs import LoggedRecord, collecting_records
from .pool import inherited


@dataclass
class RenderJob:
    """One page to render: where it goes, with which template and context."""

    name: str
    template: object
    context: dict


@dataclass
class PlannedPage:
    """A page to write: its variables, those that key it, and the posts it shows in full."""

    name: str
    template: object
    variables: dict
    key_variables: dict
    shown: list


def paginated_pages(
    name, url, template, kwargs, paginated, per_page, settings
) -> list[PlannedPage]:
    """The pages of a paginated listing, with the variables Pelican's writer gives each."""
    paginators = {
        key: Paginator(name, url, value, settings, per_page) for key, value in paginated.items()
    }
    count = next(iter(paginators.values())).num_pages
    pages = []
    for number in range(1, count + 1):
        variables, shown = dict(kwargs), []
        for key, paginator in paginators.items():
            page = paginator.page(number)
            variables[f"{key}_paginator"] = paginator
            variables[f"{key}_page"] = page
            variables[f"{key}_previous_page"] = paginator.page(number - 1) if number > 1 else None
            variables[f"{key}_next_page"] = paginator.page(number + 1) if number < count else None
            shown += page.object_list
        key_variables = dict(kwargs, page_number=number, page_count=count)
        pages.append(PlannedPage(page.save_as, template, variables, key_variables, shown))
    return pages


def render_job(job: RenderJob, output_path: str) -> str:
    """Render one page and write it to a new file; return its path."""
    html = job.template.render(job.context)
    path = sanitised_join(output_path, job.name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    # A new file, never the one an earlier build's hard link shares.
    if os.path.lexists(path):
        os.unlink(path)
    with open(path, "w", encoding="utf-8") as file:
        file.write(html)
    return path


def render_in_worker(index: int) -> tuple[int, list[LoggedRecord] | None]:
    """Render the index-th page of the work the worker inherited; None when it failed."""
    jobs, output_path = inherited()
    try:
        _, records = collecting_records(lambda: render_job(jobs[index], output_path))
    except Exception:  # the parent renders it again to report the real error
        return index, None
    return index, records
