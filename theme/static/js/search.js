// Search the posts with Pagefind's index, in the browser. Loaded only by the search page.
(() => {
  "use strict";
  const form = document.querySelector(".search-form");
  if (!form) return;
  const query = form.querySelector("#search-query");
  const category = form.querySelector("#search-category");
  const status = document.querySelector(".search-status");
  const results = document.querySelector(".search-results");
  let pagefind = null;
  let latest = 0;

  const load = async () => {
    if (!pagefind) {
      pagefind = await import(form.dataset.pagefind);
      await pagefind.options({ excerptLength: 24 });
    }
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
    const filters = category.value ? { category: category.value } : {};
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
    if (category.value) params.set("category", category.value);
    const search = params.toString();
    history.replaceState(null, "", search ? `?${search}` : location.pathname);
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    remember();
    search();
  });
  query.addEventListener("input", () => search());
  category.addEventListener("change", () => {
    remember();
    search();
  });

  const params = new URLSearchParams(location.search);
  query.value = params.get("q") || "";
  category.value = params.get("category") || "";
  if (query.value) search();
})();
