// Play a post's videos in the page when the reader asks: until then nothing is fetched from the
// video's site. Without this script each video is a link to it.
(() => {
  "use strict";
  // The page's words for the button (its language's), set on <html> by the theme; else English.
  const play = document.documentElement.dataset.labelPlay || "Play here (loads {service})";
  for (const figure of document.querySelectorAll(".video-embed[data-player]")) {
    const link = figure.querySelector(".video-link");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "video-play";
    button.textContent = play.replace("{service}", figure.dataset.service);
    button.addEventListener("click", () => {
      const frame = document.createElement("iframe");
      frame.src = figure.dataset.player;
      frame.title = link ? link.textContent : "Video";
      frame.allow = "autoplay; encrypted-media; fullscreen; picture-in-picture";
      frame.allowFullscreen = true;
      figure.replaceChildren(frame);
      frame.focus();
    });
    figure.append(button);
  }
})();
