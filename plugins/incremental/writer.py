"""Pelican's writer, rendering only the pages whose key changed, in parallel, when the build ends.

Pages with an unchanged key are kept from the folder built into, or hard-linked from the live
site (INCREMENTAL_OUTPUT); the rest are rendered in worker processes. Every page and feed,
rendered or kept, is announced through the signals stock Pelican sends for what it writes.
"""

import logging
import os
import shutil
from pathlib import Path

from pelican import signals
from pelican.utils import get_relative_path, path_to_url, sanitised_join
from pelican.writers import FileOverwriteFailedError, Writer

from sitebuild.links import OUTPUT_FILES_SETTING
from sitebuild.staging import STARTED_MARKER, folder_id, load_manifest, save_manifest, sweep

from .keys import digest
from .logs import replay
from .page_keys import PageKeys
from .pages import PlannedPage, RenderJob, paginated_pages, render_in_worker, render_job
from .pool import DEFAULT_MIN_PARALLEL, forked_map, worker_count
from .read_cache import CACHE_FOLDER, state_for
from .speedups import remember_urls

logger = logging.getLogger(__name__)

# The writer of each build under way, by the folder it writes into.
_writers: dict[str, "IncrementalWriter"] = {}


def manifest_file(settings: dict) -> Path:
    """Where the keys of the pages in the output folder (and the folder built into) are kept."""
    output = os.path.abspath(settings.get("INCREMENTAL_OUTPUT") or settings["OUTPUT_PATH"])
    return Path(settings["CACHE_PATH"], CACHE_FOLDER, f"pages-{digest(output)[:20]}.pickle")


def writer_for(output_path: str) -> "IncrementalWriter | None":
    """The writer of the build writing into output_path, which then lets go of it."""
    return _writers.pop(os.path.abspath(output_path), None)


class IncrementalWriter(Writer):
    """Pelican's writer, rendering only changed pages, in parallel, when the build ends."""

    def __init__(self, output_path, settings=None) -> None:
        super().__init__(output_path, settings)
        state = state_for(self.settings)
        self.page_keys = state.page_keys or PageKeys(state.environment, self.settings)
        live = self.settings.get("INCREMENTAL_OUTPUT") or output_path
        self.live_output = os.path.abspath(live)
        self.live_id, self.own_id = folder_id(live), folder_id(output_path)
        self.manifest_path = manifest_file(self.settings)
        manifest = load_manifest(self.manifest_path)
        self.live_keys = manifest.get(self.live_id, {}) if self.live_id else {}
        self.own_keys = manifest.get(self.own_id, {}) if self.own_id else {}
        # Files here are about to change: until this build ends, no key may vouch for them.
        save_manifest(self.manifest_path, {self.live_id: self.live_keys} if self.live_id else {})
        self.sweeping = self.live_id != self.own_id
        self.started = Path(output_path, STARTED_MARKER)
        if self.sweeping:
            self.started.touch()
        self.keys: dict[str, str] = {}
        self.jobs: list[RenderJob] = []
        # Every page of the site, rendered or reused, with its context, in Pelican's order:
        # each is announced as stock Pelican announces what it writes.
        self.announcements: list[tuple[str, dict]] = []
        self.reused = 0
        _writers[os.path.abspath(output_path)] = self

    def reuse(self, name: str, key: str) -> bool:
        """Keep the page this folder has, or link the live one, if its key is unchanged."""
        self.keys[name] = key
        target = sanitised_join(self.output_path, name)
        if self.own_keys.get(name) == key and os.path.isfile(target):
            self._written_files.add(target)
            self.reused += 1
            return True
        source = sanitised_join(self.live_output, name)
        if self.live_keys.get(name) != key or source == target or not os.path.isfile(source):
            return False
        if os.path.lexists(target):
            os.unlink(target)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        try:
            os.link(source, target)
        except OSError:
            shutil.copy2(source, target)
        self._written_files.add(target)
        self.reused += 1
        return True

    def claim(self, name: str, override: bool) -> bool:
        """Apply Pelican's rules for a page written twice; say whether to write this one."""
        path = sanitised_join(self.output_path, name)
        if path in self._overridden_files:
            if override:
                raise FileOverwriteFailedError(f'Failed to overwrite "{path}" a second time')
            logger.info('Skipping "%s", not overwriting', path)
            return False
        if path in self._written_files and not override:
            raise FileOverwriteFailedError(f'Failed to overwrite "{path}": written before')
        if override:
            self._overridden_files.add(path)
        self._written_files.add(path)
        return True

    def schedule(self, page: PlannedPage, context: dict, override: bool, relative: bool) -> None:
        """Render the page later, or reuse it now if nothing it shows has changed."""
        if not self.claim(page.name, override):
            return
        keys = self.page_keys
        key = keys.page_key(context, page.template, page.name, page.key_variables, page.shown)
        local = context.copy()
        local["localsiteurl"] = local.get("localsiteurl", None)
        if relative:
            local["SITEURL"] = local["localsiteurl"] = path_to_url(get_relative_path(page.name))
        local["output_file"] = page.name
        local.update(page.variables)
        self.announcements.append((sanitised_join(self.output_path, page.name), local))
        if not self.reuse(page.name, key):
            self.jobs.append(RenderJob(page.name, page.template, local))

    def write_file(
        self,
        name,
        template,
        context,
        relative_urls=False,
        paginated=None,
        template_name=None,
        override_output=False,
        url=None,
        **kwargs,
    ) -> None:
        """Plan a page, or each page of a paginated listing, as Pelican's writer would write it."""
        if not name:
            return
        if paginated is None:
            paginated = {k: v for k, v in kwargs.items() if k in {"articles", "dates"}}
        templates = self.settings["PAGINATED_TEMPLATES"]
        if paginated and template_name in templates:
            per_page = templates[template_name] or self.settings["DEFAULT_PAGINATION"]
            pages = paginated_pages(name, url, template, kwargs, paginated, per_page, self.settings)
        else:
            pages = [PlannedPage(name, template, kwargs, kwargs, [])]
        for page in pages:
            self.schedule(page, context, override_output, relative_urls)

    def write_feed(
        self,
        elements,
        context,
        path=None,
        url=None,
        feed_type="atom",
        override_output=False,
        feed_title=None,
    ):
        """Write a feed, or reuse it when its entries and the site are unchanged."""
        if path:
            entries = elements[: self.settings["FEED_MAX_ITEMS"]]
            key = digest(
                self.page_keys.context_digest(context),
                "feed",
                path,
                str(url),
                feed_type,
                str(feed_title),
                *(self.page_keys.full(entry) for entry in entries),
            )
            if self.reuse(path, key):
                return self.announce_feed(elements, context, path, url, feed_type, feed_title)
            target = sanitised_join(self.output_path, path)
            # Pelican writes into the file it finds, which may be the live site's (a hard link).
            if os.path.lexists(target):
                os.unlink(target)
        return super().write_feed(
            elements, context, path, url, feed_type, override_output, feed_title
        )

    def announce_feed(self, elements, context, path, url, feed_type, feed_title):
        """Send the signals of a feed that is kept as it was, as if it had been written."""
        # Pelican's writer makes the feed and sends feed_generated without writing it when it is
        # given no path; the file kept is what writing it would give.
        feed = super().write_feed(
            elements, context, None, url or path, feed_type, False, feed_title
        )
        signals.feed_written.send(
            sanitised_join(self.output_path, path), context=context, feed=feed
        )
        return feed

    def flush(self) -> None:
        """Render and write every scheduled page, on every core when there are many."""
        jobs, self.jobs = self.jobs, []
        logger.info("rendering %d pages; %d kept from the last build", len(jobs), self.reused)
        minimum = self.settings.get("INCREMENTAL_MIN_PARALLEL", DEFAULT_MIN_PARALLEL)
        if len(jobs) < minimum or worker_count(self.settings) == 1:
            for job in jobs:
                self.finish_job(job, render_job(job, self.output_path))
            return
        work = (jobs, self.output_path)
        workers = worker_count(self.settings)
        results = forked_map(render_in_worker, work, len(jobs), workers, remember_urls)
        for index, records in results:
            job = jobs[index]
            if records is None:
                render_job(job, self.output_path)  # raises the error, with its traceback
            replay(records or [])
            self.finish_job(job, sanitised_join(self.output_path, job.name))

    def finish_job(self, job: RenderJob, path: str) -> None:
        """Log a written page, as Pelican's writer does."""
        logger.info('Writing "%s"', path)

    def announce_pages(self) -> None:
        """Send content_written for every page of the site, rendered or kept, in Pelican's order."""
        announcements, self.announcements = self.announcements, []
        for path, context in announcements:
            signals.content_written.send(path, context=context)

    def finish(self, static_outputs: set[str]) -> None:
        """Write the scheduled pages, clear out stale files, and keep the keys for next time."""
        self.flush()
        self.announce_pages()
        if self.sweeping:
            produced = {os.path.abspath(p) for p in self._written_files} | static_outputs
            kept = self.settings.get("INCREMENTAL_KEEP", [])
            left = sweep(os.path.abspath(self.output_path), self.started, produced, kept)
            # The link check needs every file of the site, and the sweep has just seen them.
            self.settings[OUTPUT_FILES_SETTING] = left
        manifest = {self.own_id: self.keys}
        if self.live_id and self.sweeping:
            manifest[self.live_id] = self.live_keys
        save_manifest(self.manifest_path, manifest)
