"""Highlight fenced code with Pygments, label its language, and ship light/dark styles and copying.

Highlighting itself is pymdown-extensions' `highlight` and `superfences` (fence options
`linenums="1"`, `hl_lines="2-4"` and `title="app.rb"` come from them); this plugin configures them
in one place, adds a language label and keyboard scrolling to each block, warns (naming file and
line) about fences with an unknown language (one with none is plain text, a fine choice), and
writes a stylesheet generated from two
Pygments styles that follows the theme's dark mode, plus a copy-button script.
"""

import hashlib
import html
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import markdown
import rjsmin
from markdown.extensions import Extension
from markdown.postprocessors import Postprocessor
from markdown.preprocessors import Preprocessor
from pelican import signals
from pelican.readers import RstReader
from pygments.styles import get_style_by_name
from pygments.token import STANDARD_TYPES, Token, Whitespace

from .dialects import DialectTreeprocessor
from .labels import PLAIN_LANGUAGES, add_labels, lexer_name
from .rst import LabelledRstReader

logger = logging.getLogger(__name__)

DEFAULT_LIGHT_STYLE = "xcode"
DEFAULT_DARK_STYLE = "github-dark"
# Languages Pygments has no lexer for, shown plain but labelled with their own name.
DEFAULT_ALIASES = {"sshd_config": "text"}
COPY_SCRIPT = Path(__file__).with_name("copy-code.js")
MARKDOWN_SUFFIXES = {".md", ".markdown", ".mdown", ".mkd"}
LABEL_EXTENSION = "code_highlight.code_highlight:CodeBlockExtension"
# Fenced-code extensions that would fight superfences for the same blocks.
REPLACED_EXTENSIONS = {
    "codehilite",
    "fenced_code",
    "markdown.extensions.codehilite",
    "markdown.extensions.fenced_code",
}
MINIMUM_CONTRAST = 4.5  # WCAG AA for normal text
# How a token looks when its style says nothing: the block's own colour, normal weight, upright.
DEFAULT_LOOK = {"color": "var(--hl-fg)", "font-weight": "normal", "font-style": "normal"}
# Variable name parts for each CSS property a token rule sets.
PROPERTY_SUFFIXES = {"color": "", "font-weight": "-weight", "font-style": "-style"}

FENCE_OPEN = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")
LANGUAGE_NAME = re.compile(r"[\w#+.-]+")
# One item of a fence's `{...}` options: `.language`, `#id` or `key=value` (value quoted or not).
FENCE_OPTION = re.compile(
    r"""\s*(?:\.(?P<language>[\w#+.-]+)|\#(?P<id>[^\s}]+)"""
    r"""|(?P<key>[A-Za-z][\w-]*)=(?:"(?P<double>[^"]*)"|'(?P<single>[^']*)'|(?P<bare>[^\s"'}]+)))"""
)
VALID_ID = re.compile(r"[A-Za-z][\w:.-]*")
CODE_BLOCK = re.compile(
    r'(?P<open><div class="language-[^" ]+ highlight">)(?P<body>.*?)(?P<close></code></pre></div>)',
    re.DOTALL,
)
# Spans of a code block that are not tokens: highlighted lines and the title.
STRUCTURAL_CLASSES = frozenset({"hll", "filename"})
TOKEN_SPAN = re.compile(r'<span class="(?P<token>[a-z0-9]+)">(?P<text>[^<]*)</span>')


def option(settings: dict, name: str, default):
    """Read the plugin setting CODE_HIGHLIGHT_<name>, falling back to its default."""
    return settings.get(f"CODE_HIGHLIGHT_{name}", default)


@dataclass
class Fence:
    """A fenced block's opening line: its options made safe, and what was wrong with them."""

    line: int
    indent: str
    fence: str
    language: str
    info: str
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    closed: bool = False

    def opening(self) -> str:
        """The opening line as Markdown will read it."""
        return f"{self.indent}{self.fence}{self.info}"


def read_brace_options(fence: Fence, options: str) -> None:
    """Rewrite `{...}` options with every value escaped and only valid ids kept."""
    parts, position = [], 0
    while options[position:].strip():
        match = FENCE_OPTION.match(options, position)
        if not match:
            fence.warnings.append(
                f"code block options {{{options}}} cannot be read; it is shown as plain text"
            )
            fence.language, fence.info = "", "text"
            return
        position = match.end()
        if match["language"]:
            fence.language = fence.language or match["language"]
            parts.append(f".{match['language']}")
        elif match["id"]:
            if VALID_ID.fullmatch(match["id"]):
                parts.append(f"#{match['id']}")
            else:
                fence.errors.append(f"code block id {match['id']!r} is not a valid HTML id")
        else:
            quoted = (match["double"], match["single"], match["bare"])
            value = next(value for value in quoted if value is not None)
            # The highlighter writes option values into the page as they are: escape them here.
            parts.append(f'{match["key"]}="{html.escape(value, quote=True)}"')
    fence.info = "{" + " ".join(parts) + "}"


def read_fence(line: int, match: re.Match) -> Fence:
    """A fence's opening line, with its language and options checked and made safe."""
    info = match["info"].strip()
    fence = Fence(line, match["indent"], match["fence"], "", info)
    if info.startswith("{") and info.endswith("}"):
        read_brace_options(fence, info[1:-1])
    elif info:
        language, _, rest = info.partition(" ")
        if not LANGUAGE_NAME.fullmatch(language):
            fence.warnings.append(
                f"code block language {language!r} is not a language name; "
                "the block is shown as plain text"
            )
            fence.info = "text"
        else:
            fence.language = language
            if rest.strip():
                read_brace_options(fence, f".{language} {rest}")
    return fence


def closes(line: str, fence: str) -> bool:
    """Whether line closes a block opened with fence."""
    stripped = line.strip()
    return stripped.startswith(fence) and not stripped.strip(fence[0])


def fences(lines: list[str]) -> Iterator[Fence]:
    """Every fenced block's opening in Markdown lines, in order; `closed` is set when it ends."""
    current = None
    for number, line in enumerate(lines, start=1):
        if current is not None:
            if closes(line, current.fence):
                current.closed = True
                current = None
            continue
        match = FENCE_OPEN.match(line)
        if match:
            current = read_fence(number, match)
            yield current


def fenced_languages(text: str) -> list[tuple[int, str]]:
    """List (line, language) for every fenced code block in Markdown text, in order."""
    return [(fence.line, fence.language) for fence in fences(text.splitlines())]


def language_problem(language: str, aliases: dict[str, str]) -> str | None:
    """Say what is wrong with a fence's language, or return None when it will be highlighted."""
    # Plain text is a fine choice, and most blogs make it for many blocks.
    if (
        not language
        or language in aliases
        or language.lower() in PLAIN_LANGUAGES
        or lexer_name(language)
    ):
        return None
    return f"code block language {language!r} is unknown to Pygments; it is shown as plain text"


def drop_unstyled_spans(html: str, styled: frozenset[str]) -> str:
    """Unwrap token spans in code blocks that no rule styles; they only weigh the page down."""
    kept = styled | STRUCTURAL_CLASSES

    def unwrap(token: re.Match) -> str:
        return token[0] if token["token"] in kept else token["text"]

    def lighten(code: re.Match) -> str:
        return code["open"] + TOKEN_SPAN.sub(unwrap, code["body"]) + code["close"]

    return CODE_BLOCK.sub(lighten, html)


class FenceGuard(Preprocessor):
    """Make fences safe before they are read: options escaped, odd ones plain, open ends closed."""

    def run(self, lines: list[str]) -> list[str]:
        """Return the lines with each fence's opening rewritten and a last open block closed."""
        lines = list(lines)
        last = None
        for fence in fences(lines):
            lines[fence.line - 1] = fence.opening()
            last = fence
        if last is not None and not last.closed:
            # Left open, the block would swallow or mangle the rest of the post.
            lines.append(last.indent + last.fence)
        return lines


class CodeBlockPostprocessor(Postprocessor):
    """Label highlighted blocks once raw HTML is back in place."""

    def __init__(self, md: markdown.Markdown, aliases: dict[str, str], styles: list[str]) -> None:
        super().__init__(md)
        self.aliases = aliases
        self.styled = styled_classes(*styles)

    def run(self, text: str) -> str:
        """Return the document with labelled, lighter code blocks."""
        return add_labels(drop_unstyled_spans(text, self.styled), self.aliases)


class CodeBlockExtension(Extension):
    """Python-Markdown extension adding language labels to pymdown-extensions' code blocks."""

    def __init__(self, **kwargs) -> None:
        self.config = {
            "aliases": [{}, "Language names Pygments lacks, mapped to a lexer"],
            "styles": [[DEFAULT_LIGHT_STYLE, DEFAULT_DARK_STYLE], "Light and dark Pygments styles"],
        }
        super().__init__(**kwargs)

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        """Register the postprocessor after raw HTML has been restored."""
        processor = CodeBlockPostprocessor(md, self.getConfig("aliases"), self.getConfig("styles"))
        md.postprocessors.register(processor, "code_block_labels", 5)
        # After whitespace is normalised (30), before superfences reads the fences (25).
        md.preprocessors.register(FenceGuard(md), "code_fence_guard", 29)
        # Before pymdown-extensions highlights indented blocks as plain text (30).
        md.treeprocessors.register(DialectTreeprocessor(md), "code_dialects", 31)


def highlight_config(settings: dict) -> dict:
    """The pymdown-extensions highlight options this site uses."""
    aliases = option(settings, "ALIASES", DEFAULT_ALIASES)
    return {
        "css_class": "highlight",
        "guess_lang": False,
        "pygments_lang_class": True,
        # Numbers drawn by CSS, so copying or selecting code never picks them up.
        "linenums_style": "pymdownx-inline",
        "extend_pygments_lang": [{"name": name, "lang": lang} for name, lang in aliases.items()],
    }


def markdown_settings(markdown_setting: dict, settings: dict) -> dict:
    """Return the MARKDOWN setting with highlighting, fences and labels configured."""
    extensions = [
        name for name in markdown_setting.get("extensions", []) if name not in REPLACED_EXTENSIONS
    ]
    for name in ("pymdownx.highlight", "pymdownx.superfences", LABEL_EXTENSION):
        if name not in extensions:
            extensions.append(name)
    configs = dict(markdown_setting.get("extension_configs", {}))
    configs["pymdownx.highlight"] = {
        **highlight_config(settings),
        **configs.get("pymdownx.highlight", {}),
    }
    configs[LABEL_EXTENSION] = {
        "aliases": option(settings, "ALIASES", DEFAULT_ALIASES),
        "styles": [
            option(settings, "LIGHT_STYLE", DEFAULT_LIGHT_STYLE),
            option(settings, "DARK_STYLE", DEFAULT_DARK_STYLE),
        ],
    }
    return {**markdown_setting, "extensions": extensions, "extension_configs": configs}


def relative_luminance(colour: str) -> float:
    """WCAG relative luminance of a #rrggbb colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio between two #rrggbb colours."""
    high, low = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def full_hex(colour: str) -> str:
    """Normalise Pygments' `#abc`, `abc` or `#aabbcc` to `#aabbcc`."""
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return "#" + digits.lower()


def mix(first: str, second: str, share: float) -> str:
    """The colour `share` of the way from first to second."""
    a, b = full_hex(first), full_hex(second)
    channels = (
        round(int(a[i : i + 2], 16) * (1 - share) + int(b[i : i + 2], 16) * share)
        for i in (1, 3, 5)
    )
    return "#" + "".join(f"{c:02x}" for c in channels)


def foreground(style) -> str:
    """The colour of a style's plain text."""
    return full_hex(style.style_for_token(Token)["color"] or "000")


def token_colours(style) -> list[str]:
    """Every colour a style gives visible text, the default one included."""
    colours = {
        full_hex(style.style_for_token(token)["color"] or foreground(style))
        for token in STANDARD_TYPES
        if token not in Whitespace
    }
    return sorted(colours)


def readable_line_highlight(style) -> str:
    """The style's highlighted-line colour, or a quieter one where that makes text unreadable."""
    background = full_hex(style.background_color)
    candidates = [full_hex(style.highlight_color)] + [
        mix(background, foreground(style), share) for share in (0.15, 0.12, 0.09, 0.06, 0.03)
    ]
    for candidate in candidates:
        if all(contrast(c, candidate) >= MINIMUM_CONTRAST for c in token_colours(style)):
            return candidate
    return background


def readable_line_numbers(style) -> str:
    """The style's line-number colour, moved toward its text colour until it is readable."""
    background = full_hex(style.background_color)
    wanted = style.line_number_color
    colour = full_hex(wanted) if wanted.startswith("#") else foreground(style)
    share = 0.0
    while contrast(mix(colour, foreground(style), share), background) < MINIMUM_CONTRAST:
        share += 0.1
    return mix(colour, foreground(style), min(share, 1.0))


def token_look(style, token) -> dict[str, str]:
    """How a style shows a token as CSS values, DEFAULT_LOOK where it matches the block's text."""
    declared = style.style_for_token(token)
    colour = full_hex(declared["color"]) if declared["color"] else None
    return {
        "color": colour if colour and colour != foreground(style) else DEFAULT_LOOK["color"],
        "font-weight": "bold" if declared["bold"] else DEFAULT_LOOK["font-weight"],
        "font-style": "italic" if declared["italic"] else DEFAULT_LOOK["font-style"],
    }


def base_variables(style) -> dict[str, str]:
    """The block's own colours in one style."""
    return {
        "--hl-fg": foreground(style),
        "--hl-bg": full_hex(style.background_color),
        "--hl-line": readable_line_highlight(style),
        "--hl-linenos": readable_line_numbers(style),
    }


def token_rules(light, dark) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """Weight and slant variables for light and dark mode, and the rules for token classes.

    Colours are written in place with light-dark(), which follows the page's color-scheme;
    weight and slant cannot be, so they are variables with a light and a dark value. Classes
    that look alike share one rule. Whitespace is never styled.
    """
    light_values, dark_values = {}, {}
    classes_by_look: dict[str, list[str]] = {}
    for token in sorted(STANDARD_TYPES, key=len):  # parents first, so shared rules read in order
        short = STANDARD_TYPES[token]
        if not short or token in Whitespace:
            continue
        looks = token_look(light, token), token_look(dark, token)
        declarations = {}
        for css_property, suffix in PROPERTY_SUFFIXES.items():
            pair = looks[0][css_property], looks[1][css_property]
            if pair == (DEFAULT_LOOK[css_property],) * 2:
                continue
            if css_property == "color":
                declarations["color"] = both_modes(
                    short_hex(pair[0].replace(DEFAULT_LOOK["color"], foreground(light))),
                    short_hex(pair[1].replace(DEFAULT_LOOK["color"], foreground(dark))),
                )
            elif pair[0] == pair[1]:
                declarations[css_property] = pair[0]
            else:
                variable = f"--hl{suffix}-{'-'.join(pair)}"
                light_values[variable], dark_values[variable] = pair
                declarations[css_property] = f"var({variable})"
        if declarations:
            look = ";".join(f"{name}:{value}" for name, value in declarations.items())
            classes_by_look.setdefault(look, []).append(short)
    rules = [
        ",".join(f".highlight .{short}" for short in classes) + "{" + look + "}"
        for look, classes in classes_by_look.items()
    ]
    return light_values, dark_values, rules


def short_hex(colour: str) -> str:
    """#aabbcc as #abc where that is the same colour; anything else as it is."""
    if re.fullmatch(r"#([0-9a-f])\1([0-9a-f])\2([0-9a-f])\3", colour):
        return "#" + colour[1::2]
    return colour


@cache
def styled_classes(light_style: str, dark_style: str) -> frozenset[str]:
    """The token classes the stylesheet gives a rule; spans of any other class can go."""
    rules = token_rules(get_style_by_name(light_style), get_style_by_name(dark_style))[2]
    selectors = (selector for rule in rules for selector in rule.split("{")[0].split(","))
    return frozenset(selector.removeprefix(".highlight .") for selector in selectors)


def both_modes(light: str, dark: str) -> str:
    """One CSS colour for light and dark mode: light-dark() where they differ."""
    return light if light == dark else f"light-dark({light},{dark})"


def block(selector: str, declarations: dict[str, str]) -> str:
    """One CSS rule."""
    body = ";".join(f"{name}:{value}" for name, value in declarations.items())
    return f"{selector}{{{body}}}"


def stylesheet(light_style: str, dark_style: str) -> str:
    """CSS for highlighted code: one rule per token class, colours as variables for both modes.

    It relies on the theme setting `color-scheme` on :root (light, dark, or both to follow the
    system), and on `data-theme="light|dark"` for weights and slants that differ by mode.
    """
    light, dark = get_style_by_name(light_style), get_style_by_name(dark_style)
    light_values, dark_values, rules = token_rules(light, dark)
    light_base, dark_base = base_variables(light), base_variables(dark)
    shared = {
        name: both_modes(short_hex(light_base[name]), short_hex(dark_base[name]))
        for name in light_base
    }
    dark_changes = {
        name: dark_values[name] for name in dark_values if light_values[name] != dark_values[name]
    }
    lines = [
        f"/* Generated from the Pygments styles {light_style!r} and {dark_style!r}. */",
        block(":root", shared | light_values),
    ]
    if dark_changes:
        lines += [
            "@media (prefers-color-scheme: dark){"
            + block(':root:not([data-theme="light"])', dark_changes)
            + "}",
            block(':root[data-theme="dark"]', dark_changes),
        ]
    lines += [
        block(".highlight", {"color": "var(--hl-fg)", "background-color": "var(--hl-bg)"}),
        block(".highlight .hll", {"background-color": "var(--hl-line)"}),
        block(
            ".highlight .linenos::before",
            {"content": "attr(data-linenos)", "color": "var(--hl-linenos)"},
        ),
        *rules,
    ]
    return "\n".join(lines) + "\n"


def fingerprinted(name: str, content: str) -> str:
    """The file name with a short hash of its content, so it can be cached forever."""
    digest = hashlib.sha256(content.encode("utf-8")).hexdigest()[:10]
    stem, _, suffix = name.rpartition(".")
    return f"{stem}.{digest}.{suffix}"


def assets(settings: dict) -> dict[str, tuple[str, str]]:
    """Map each asset's role to (path in the output, content)."""
    folder = option(settings, "ASSET_DIR", settings.get("THEME_STATIC_DIR", "theme") + "/code")
    css = stylesheet(
        option(settings, "LIGHT_STYLE", DEFAULT_LIGHT_STYLE),
        option(settings, "DARK_STYLE", DEFAULT_DARK_STYLE),
    )
    script = rjsmin.jsmin(COPY_SCRIPT.read_text(encoding="utf-8"))
    return {
        "stylesheet": (f"{folder}/{fingerprinted('code.css', css)}", css),
        "script": (f"{folder}/{fingerprinted('copy-code.js', script)}", script),
    }


def configure_markdown(pelican) -> None:
    """Put the highlighting configuration into the MARKDOWN setting before anything is read."""
    pelican.settings["MARKDOWN"] = markdown_settings(pelican.settings["MARKDOWN"], pelican.settings)


def publish_asset_urls(generator) -> None:
    """Tell templates where the code stylesheet and copy script are, as `code_highlight`."""
    generator.context["code_highlight"] = {
        role: path for role, (path, _) in assets(generator.settings).items()
    }


def report_fences(instance) -> None:
    """Report, naming file and line, each fence that cannot be shown as its author wrote it."""
    source = Path(getattr(instance, "source_path", "") or "")
    if source.suffix.lower() not in MARKDOWN_SUFFIXES or not source.is_file():
        return
    aliases = option(instance.settings, "ALIASES", DEFAULT_ALIASES)
    text = source.read_text(encoding="utf-8", errors="replace")
    # A fence learns that it is closed only once the scan has passed its end.
    for fence in list(fences(text.splitlines())):
        for problem in fence.errors:
            logger.error("%s:%d: %s", instance.source_path, fence.line, problem)
        for problem in fence.warnings:
            logger.warning("%s:%d: %s", instance.source_path, fence.line, problem)
        if not fence.warnings:
            problem = language_problem(fence.language, aliases)
            if problem:
                logger.warning("%s:%d: %s", instance.source_path, fence.line, problem)
        if not fence.closed:
            logger.warning(
                "%s:%d: code block is never closed; it is closed at the end of the post",
                instance.source_path,
                fence.line,
            )


def write_assets(pelican) -> None:
    """Write the stylesheet and script into the output."""
    for path, content in assets(pelican.settings).values():
        target = Path(pelican.output_path, path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")


def label_rst_code_blocks(readers) -> None:
    """Read reStructuredText with code blocks marked up and labelled as Markdown's are."""
    for extension, reader in list(readers.reader_classes.items()):
        if reader is RstReader:
            readers.reader_classes[extension] = LabelledRstReader


def register() -> None:
    """Connect the handlers to Pelican's signals."""
    signals.readers_init.connect(label_rst_code_blocks)
    signals.initialized.connect(configure_markdown)
    signals.generator_init.connect(publish_asset_urls)
    signals.content_object_init.connect(report_fences)
    signals.finalized.connect(write_assets)
