// Colour scheme: apply the reader's saved choice before the first paint (this script is loaded
// in <head>, not deferred), then show a toggle once the page is parsed. Without this script the
// site follows the system's light or dark setting through CSS alone.
(() => {
  "use strict";
  const KEY = "theme";
  const root = document.documentElement;
  const systemDark = window.matchMedia("(prefers-color-scheme: dark)");

  const saved = () => {
    try {
      return localStorage.getItem(KEY);
    } catch {
      return null; // storage blocked: follow the system
    }
  };
  const current = () => root.dataset.theme || (systemDark.matches ? "dark" : "light");

  const choice = saved();
  if (choice === "light" || choice === "dark") root.dataset.theme = choice;
  // Lets CSS lay out the toggle from the first paint, so showing it shifts nothing.
  root.classList.add("scripted");

  document.addEventListener("DOMContentLoaded", () => {
    const button = document.querySelector(".theme-toggle");
    if (!button) return;
    const show = () => button.setAttribute("aria-pressed", String(current() === "dark"));
    button.addEventListener("click", () => {
      root.dataset.theme = current() === "dark" ? "light" : "dark";
      try {
        localStorage.setItem(KEY, root.dataset.theme);
      } catch {
        // storage blocked: the choice lasts for this page only
      }
      show();
    });
    systemDark.addEventListener("change", show);
    show();
  });
})();
