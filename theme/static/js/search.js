// Search the posts with Pagefind's index, in the browser. Loaded only by the search page.
(() => {
  "use strict";
  const form = document.querySelector(".search-form");
  if (!form) return;
  const query = form.querySelector("#search-query");
  // One select per Pagefind filter (category, and tag when the site has tags).
  const selects = [...form.querySelectorAll("select[data-filter]")];
  const status = document.querySelector(".search-status");
  const results = document.querySelector(".search-results");
  let pagefind = null; // the engine, as a promise
  let latest = 0;

  // A large site's index comes in parts; the first lists the others, which are merged into it.
  const mergeParts = async (engine) => {
    const bundle = new URL(".", new URL(form.dataset.pagefind, location.href));
    const response = await fetch(new URL("parts.json", bundle));
    if (!response.ok) return; // an index in one part
    for (const part of await response.json()) {
      if (part.path) await engine.mergeIndex(new URL(part.path, bundle).pathname);
    }
  };

  // Loaded once, by the first search; searches typed meanwhile wait for the same promise.
  const load = () => {
    pagefind ||= (async () => {
      const engine = await import(form.dataset.pagefind);
      await engine.options({ excerptLength: 24 });
      await mergeParts(engine);
      return engine;
    })().catch((error) => {
      pagefind = null; // the next search tries again
      throw error;
    });
    return pagefind;
  };

  const item = (data) => {
    const li = document.createElement("li");
    const link = document.createElement("a");
    link.href = data.url;
    link.textContent = data.meta.title;
    const excerpt = document.createElement("p");
    // Pagefind escapes the page text and marks the matches with <mark>.
    excerpt.innerHTML = data.excerpt;
    li.append(link, excerpt);
    return li;
  };

  const search = async () => {
    const run = ++latest;
    const text = query.value.trim();
    const filters = Object.fromEntries(
      selects.filter((s) => s.value).map((s) => [s.dataset.filter, s.value]),
    );
    if (!text) {
      results.replaceChildren();
      status.textContent = "";
      return;
    }
    status.textContent = "Searching…";
    try {
      const engine = await load();
      const found = await engine.search(text, { filters });
      const pages = await Promise.all(found.results.slice(0, 20).map((r) => r.data()));
      if (run !== latest) return; // a newer search has started
      results.replaceChildren(...pages.map(item));
      const count = found.results.length;
      status.textContent = count === 1 ? "1 post found." : `${count} posts found.`;
    } catch {
      status.textContent = "Search is unavailable right now; try the archives.";
    }
  };

  // Keep the query in the address, so a search can be bookmarked or shared.
  const remember = () => {
    const params = new URLSearchParams();
    if (query.value.trim()) params.set("q", query.value.trim());
    for (const select of selects) if (select.value) params.set(select.name, select.value);
    const search = params.toString();
    history.replaceState(null, "", search ? `?${search}` : location.pathname);
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    remember();
    search();
  });
  query.addEventListener("input", () => search());
  for (const select of selects) {
    select.addEventListener("change", () => {
      remember();
      search();
    });
  }

  const params = new URLSearchParams(location.search);
  query.value = params.get("q") || "";
  for (const select of selects) select.value = params.get(select.name) || "";
  if (query.value) search();
})();
