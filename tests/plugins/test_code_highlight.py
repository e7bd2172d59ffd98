"""The code_highlight plugin, driven through real Pelican builds of tiny posts."""

import logging
import re

import pytest
from code_highlight.code_highlight import (
    MINIMUM_CONTRAST,
    base_variables,
    contrast,
    fenced_languages,
    full_hex,
    short_hex,
    styled_classes,
    stylesheet,
    token_colours,
)
from pygments.styles import get_style_by_name
from pygments.token import Keyword, String

import pelicanconf
from tests.browser import serving
from tests.plugins.tinysite import messages, post

PLUGIN_LOGGER = "code_highlight.code_highlight"
LIGHT, DARK = pelicanconf.CODE_HIGHLIGHT_LIGHT_STYLE, pelicanconf.CODE_HIGHLIGHT_DARK_STYLE

TRICKY_CODE = """\
puts "it's -- not... <b>bold</b>" if x -> y
ssh <user>@<server IP> 'echo "--help"'
"""


def built_block(site, fence_info: str, code: str, **overrides):
    """Build one post holding one fenced block and return the block's element."""
    site.add("code.md", post("Code", f"```{fence_info}\n{code}```\n"))
    site.build(**overrides)
    return site.page("/2020/01/01/code/").select_one("article .highlight")


def test_known_language_is_highlighted_with_classes_only(site):
    block = built_block(site, "ruby", "require 'observer'\n")
    assert "language-ruby" in block["class"]
    assert block.select_one(".nb").get_text() == "require"
    assert block.select_one(".s1").get_text() == "'observer'"
    assert block.select("[style]") == []


def test_language_is_shown_as_a_label(site):
    block = built_block(site, "coffeescript", "x = 1\n")
    assert block.select_one(".code-lang").get_text() == "CoffeeScript"


def test_alias_is_labelled_with_its_own_name_and_shown_plain(site):
    block = built_block(site, "sshd_config", "Port 22\n")
    assert block.select_one(".code-lang").get_text() == "sshd_config"
    assert block.select_one("code").get_text() == "Port 22\n"


def test_code_scrolls_by_keyboard(site):
    block = built_block(site, "ruby", "x = 1\n")
    assert block.select_one("pre")["tabindex"] == "0"


@pytest.mark.parametrize("fence_info", ["ruby", "text", "brainfudge", ""])
def test_typogrify_leaves_code_exactly_as_written(site, fence_info):
    block = built_block(site, fence_info, TRICKY_CODE)
    assert block.select_one("code").get_text() == TRICKY_CODE


def test_unknown_language_is_plain_escaped_text_and_a_warning(site, caplog):
    block = built_block(site, "brainfudge", "<b>not bold</b>\n")
    assert block.select_one("code").get_text() == "<b>not bold</b>\n"
    assert block.select("b") == [] and block.select(".code-lang") == []
    (warning,) = messages(caplog, PLUGIN_LOGGER, logging.WARNING)
    assert warning == (
        f"{site.content / 'code.md'}:4: code block language 'brainfudge' is unknown to Pygments;"
        " it is shown as plain text"
    )


def test_missing_language_is_plain_text_without_a_warning(site, caplog):
    block = built_block(site, "", "<b>plain</b>\n")
    assert block.select_one("code").get_text() == "<b>plain</b>\n"
    assert block.select("b") == [] and block.select(".code-lang") == []
    assert messages(caplog, PLUGIN_LOGGER, logging.WARNING) == []


DIALECTS = """Stock Pelican's dialects:

    :::python
    def f():
        return 1 < 2

A shebang without a path names the language:

    #!ruby
    puts 1

One with a path is the script's first line:

    #!/usr/bin/env bash
    echo hi

No marker, no language:

    just <text>
"""


def test_indented_blocks_that_name_their_language_are_highlighted_as_stock_does(site, caplog):
    site.add("code.md", post("Code", DIALECTS))
    site.build()
    blocks = site.page("/2020/01/01/code/").select("article .highlight")
    labels = [
        b.select_one(".code-lang").get_text() if b.select(".code-lang") else None for b in blocks
    ]
    assert labels == ["Python", "Ruby", "Bash", None]
    codes = [b.select_one("code").get_text() for b in blocks]
    assert codes == [
        "def f():\n    return 1 < 2\n",
        "puts 1\n",
        "#!/usr/bin/env bash\necho hi\n",
        "just <text>\n",
    ]
    assert blocks[0].select_one(".k").get_text() == "def" and blocks[3].select("span") == []
    assert messages(caplog, PLUGIN_LOGGER, logging.WARNING) == []


def test_named_languages_and_text_give_no_warning(site, caplog):
    built_block(site, "text", "plain\n")
    assert messages(caplog, PLUGIN_LOGGER, logging.WARNING) == []


def test_line_numbers_are_drawn_by_css_not_written_into_the_code(site):
    block = built_block(site, 'python linenums="1"', "a = 1\nb = 2\n")
    numbers = [span["data-linenos"].strip() for span in block.select(".linenos")]
    assert numbers == ["1", "2"]
    assert block.select_one("code").get_text() == "a = 1\nb = 2\n"


def test_highlighted_lines_take_ranges(site):
    code = "".join(f"line{n} = {n}\n" for n in range(1, 7))
    block = built_block(site, 'python hl_lines="2-4 6"', code)
    marked = [span.get_text().split()[0] for span in block.select(".hll")]
    assert marked == ["line2", "line3", "line4", "line6"]


def test_title_is_shown_as_a_caption(site):
    block = built_block(site, 'ruby title="app.rb"', "x = 1\n")
    assert block.select_one(".filename").get_text() == "app.rb"


def test_pages_link_the_generated_stylesheet_and_deferred_copy_script(site):
    built_block(site, "ruby", "x = 1\n")
    page = site.page("/2020/01/01/code/")
    links = page.select('link[rel="stylesheet"]')
    css = next(link["href"] for link in links if "/code/" in link["href"])
    script = page.select_one('script[src*="copy-code"]')
    assert script.has_attr("defer")
    written_css = (site.output / css.lstrip("/")).read_text(encoding="utf-8")
    assert written_css == stylesheet(LIGHT, DARK)
    # The name carries a hash of the content, so a changed file gets a new URL.
    assert re.fullmatch(r"/theme/code/code\.[0-9a-f]{10}\.css", css)
    assert (site.output / script["src"].lstrip("/")).is_file()


def test_changing_a_style_setting_changes_the_stylesheet_and_its_name(site):
    built_block(site, "ruby", "x = 1\n")
    first = sorted((site.output / "theme" / "code").glob("code.*.css"))
    built_block(site, "ruby", "x = 1\n", CODE_HIGHLIGHT_DARK_STYLE="monokai")
    css_files = sorted((site.output / "theme" / "code").glob("code.*.css"))
    new = [path for path in css_files if path not in first]
    assert len(new) == 1
    monokai_keyword = short_hex(
        full_hex(get_style_by_name("monokai").style_for_token(Keyword)["color"])
    )
    assert f",{monokai_keyword})" in rule_for("k", new[0].read_text(encoding="utf-8"))


def rule_for(token_class: str, css: str) -> str:
    """The declarations of the rule that styles one token class."""
    for line in css.splitlines():
        selectors, _, body = line.partition("{")
        if f".highlight .{token_class}" in selectors.split(","):
            return body.rstrip("}")
    raise AssertionError(f"no rule for .{token_class}")


def colour_of(style_name: str, token) -> str:
    """A style's colour for a token, as the stylesheet writes it."""
    return short_hex(full_hex(get_style_by_name(style_name).style_for_token(token)["color"]))


def test_stylesheet_gives_each_token_its_light_and_dark_colour():
    css = stylesheet(LIGHT, DARK)
    keyword = rule_for("k", css)
    assert f"color:light-dark({colour_of(LIGHT, Keyword)},{colour_of(DARK, Keyword)})" in keyword
    string = rule_for("s1", css)
    assert f"light-dark({colour_of(LIGHT, String)},{colour_of(DARK, String)})" in string


def test_weights_that_differ_by_mode_follow_the_os_and_the_toggle():
    css = stylesheet(LIGHT, DARK)
    variable = rule_for("nf", css).split("font-weight:var(")[1].split(")")[0]
    root, media, toggle = css.splitlines()[1:4]
    assert f"{variable}:normal" in root  # xcode: function names are not bold
    assert media.startswith('@media (prefers-color-scheme: dark){:root:not([data-theme="light"])')
    assert f"{variable}:bold" in media  # github-dark: they are
    assert toggle.startswith(':root[data-theme="dark"]{') and f"{variable}:bold" in toggle


def test_unstyled_token_spans_are_dropped_from_the_markup(site):
    block = built_block(site, "ruby", "x = foo(1)\n")
    styled = styled_classes(LIGHT, DARK)
    classes = {c for span in block.select("code span") for c in span["class"]}
    assert classes and classes <= styled
    assert "n" not in styled and block.select_one("code").get_text() == "x = foo(1)\n"


@pytest.mark.parametrize("style_name", [LIGHT, DARK])
def test_configured_styles_keep_all_code_readable(style_name):
    style = get_style_by_name(style_name)
    variables = base_variables(style)
    for background in (variables["--hl-bg"], variables["--hl-line"]):
        for colour in token_colours(style):
            assert contrast(colour, background) >= MINIMUM_CONTRAST, (colour, background)
    assert contrast(variables["--hl-linenos"], variables["--hl-bg"]) >= MINIMUM_CONTRAST


def test_fenced_languages_reads_fences_with_lines():
    text = "\n".join(
        [
            "Intro",
            "```ruby",
            "```not a fence inside code",
            "```",
            '~~~{.python title="x.py"}',
            "code",
            "~~~",
            "  ```",
            "  indented",
            "  ```",
        ]
    )
    assert fenced_languages(text) == [(2, "ruby"), (5, "python"), (8, "")]


CONSOLE_SESSION = """\
$ gem install chruby
Fetching chruby-0.3.9.gem
$ echo "done" -- 'really'
"""


def test_copy_button_copies_exactly_the_code(site, chromium):
    site.add(
        "code.md",
        post(
            "Code",
            '```ruby linenums="1" hl_lines="2"\n'
            + TRICKY_CODE
            + "```\n\n```console\n"
            + CONSOLE_SESSION
            + "```\n",
        ),
    )
    site.build()
    context = chromium.new_context(permissions=["clipboard-read", "clipboard-write"])
    try:
        with serving(site.output) as base:
            page = context.new_page()
            script_errors = []
            page.on("pageerror", lambda error: script_errors.append(error))
            page.goto(f"{base}/2020/01/01/code/")
            buttons = page.locator(".highlight button.code-copy")
            assert buttons.count() == 2
            copied = []
            for index in range(2):
                buttons.nth(index).click()
                page.wait_for_function(
                    "i => document.querySelectorAll('.code-copy')[i].textContent === 'Copied'",
                    arg=index,
                )
                copied.append(page.evaluate("navigator.clipboard.readText()"))
            assert script_errors == []
    finally:
        context.close()
    assert copied[0] == TRICKY_CODE  # no line numbers, quotes and dashes as written
    assert copied[1] == "gem install chruby\necho \"done\" -- 'really'\n"  # no prompts or output


RST_POST = """Code in reStructuredText
########################

:date: 2020-01-01

Some code:

.. code-block:: python

    def f():
        return 1 < 2
"""


def test_rst_code_blocks_are_labelled_and_copyable_like_fences(site):
    from docutils.parsers.rst import directives
    from pelican.rstdirectives import Pygments

    site.add("code.rst", RST_POST)
    site.build()
    block = site.page("/2020/01/01/code-in-restructuredtext/").select_one("article .highlight")
    assert block["class"] == ["language-python", "highlight"]
    assert block.select_one(".code-lang").get_text() == "Python"
    code = block.select_one("pre > code")  # what the copy button copies
    assert code.get_text() == "def f():\n    return 1 < 2\n"
    assert code.select_one(".k").get_text() == "def"
    assert block.select_one("pre")["tabindex"] == "0"
    # Pelican's own directive is docutils' again once the read is over.
    assert directives._directives["code-block"] is Pygments
