// Add a "Copy" button to every highlighted code block. Without this script the code reads the same.
(() => {
  "use strict";
  if (!navigator.clipboard) return;

  const RESET_AFTER_MS = 2000;
  const PROMPT_MARK = "\u0000";

  // What a reader wants to paste: no line numbers, and for a shell session only the commands,
  // without their prompts ($, >>>) or the program output between them.
  const codeText = (code) => {
    const copy = code.cloneNode(true);
    copy.querySelectorAll(".linenos").forEach((node) => node.remove());
    const prompts = copy.querySelectorAll(".gp");
    if (prompts.length === 0) return copy.textContent;
    prompts.forEach((node) => node.replaceWith(PROMPT_MARK));
    return copy.textContent
      .split("\n")
      .filter((line) => line.startsWith(PROMPT_MARK))
      .map((line) => line.slice(PROMPT_MARK.length))
      .join("\n") + "\n";
  };

  // The page's words for the button (its language's), set on <html> by the theme; else English.
  const words = document.documentElement.dataset;
  const COPY = words.labelCopy || "Copy";
  const COPIED = words.labelCopied || "Copied";
  const SELECTED = words.labelSelected || "Selected: press Ctrl+C";

  document.querySelectorAll(".highlight").forEach((block) => {
    const code = block.querySelector("pre > code");
    if (!code) return;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "code-copy";
    button.textContent = COPY;
    button.setAttribute("aria-live", "polite");
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(codeText(code));
        button.textContent = COPIED;
      } catch {
        // Clipboard refused (permissions, insecure origin): select the code for a manual copy.
        window.getSelection().selectAllChildren(code);
        button.textContent = SELECTED;
      }
      setTimeout(() => { button.textContent = COPY; }, RESET_AFTER_MS);
    });
    block.prepend(button);
  });
})();
