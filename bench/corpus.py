"""Synthetic blog corpora for the benchmarks: deterministic posts shaped like a real blog's.

Each post has a few hundred words in sections under headings, with lists, inline and reference
links, inline code, one to three fenced code blocks in real languages, 1-4 categories and a few
tags; about one post in twenty-five is a quote post. With photos, one post in five shows one or
two JPEGs of 2 to 4 megapixels. The same seed gives the same bytes.

Two flavors of the same posts: `engine` writes every category in one `Category:` line;
`pelican-stock` writes the first as the category and the rest with the tags (stock Pelican has
one category per post).
"""

import argparse
import logging
import random
import shutil
from datetime import datetime, timedelta
from pathlib import Path

from PIL import Image

logger = logging.getLogger(__name__)

PROJECT = Path(__file__).resolve().parent.parent
FLAVORS = ("engine", "pelican-stock")
QUOTE_SHARE = 0.04
# With photos: one post in five shows one or two, of these sizes (2 to 4 megapixels).
PHOTO_SHARE = 0.2
PHOTO_SIZES = ((1920, 1080), (2048, 1536), (2304, 1728))

CATEGORIES = (
    "Software", "Ruby", "Python", "JavaScript", "Go", "Linux", "Apple", "Windows", "Hardware",
    "AWS", "Databases", "Testing", "Career", "Thoughts", "Books", "Networking", "Security",
    "Open-source", "Web", "Tools",
)  # fmt: skip
TAGS = (
    "deploys", "caching", "queues", "migrations", "ssh", "vpn", "terminal", "editors",
    "postgres", "redis", "s3", "lambda", "docker", "ci", "code review", "refactoring",
    "performance", "monitoring", "backups", "dns", "tls", "hiring", "remote work", "reading",
)  # fmt: skip
NOUNS = (
    "server", "queue", "worker", "request", "response", "schema", "index", "bucket", "branch",
    "commit", "release", "pipeline", "container", "cluster", "tunnel", "certificate", "token",
    "session", "cache", "report", "dashboard", "alert", "backlog", "deadline", "team", "review",
    "benchmark", "library", "framework", "module", "function", "method", "object", "event",
    "subscriber", "migration", "table", "column", "record", "log", "metric", "keyboard", "laptop",
)  # fmt: skip
VERBS = (
    "restarts", "replaces", "measures", "retries", "splits", "merges", "caches", "rotates",
    "deploys", "watches", "parses", "renders", "schedules", "throttles", "validates", "copies",
    "archives", "reports", "rewrites", "ignores", "batches", "streams", "locks", "notifies",
)  # fmt: skip
ADJECTIVES = (
    "slow", "fast", "small", "large", "stale", "fresh", "broken", "stable", "noisy", "quiet",
    "remote", "local", "nightly", "legacy", "shared", "private", "public", "careful", "simple",
)  # fmt: skip
ADVERBS = ("quickly", "quietly", "again", "eventually", "once", "twice", "nightly", "rarely")
AUTHORS = ("Grace Hopper", "Ada Lovelace", "Alan Kay", "Barbara Liskov", "Donald Knuth")
CODE = {
    "python": (
        "def batches(items, size):\n"
        '    """Yield lists of at most size items."""\n'
        "    batch = []\n"
        "    for item in items:\n"
        "        batch.append(item)\n"
        "        if len(batch) == size:\n"
        "            yield batch\n"
        "            batch = []\n"
        "    if batch:\n"
        "        yield batch\n"
    ),
    "ruby": (
        "class Notifier\n"
        "  def initialize(mailer)\n"
        "    @mailer = mailer\n"
        "  end\n\n"
        "  def update(event)\n"
        '    @mailer.deliver(event.subscriber, "#{event.kind} at #{event.time}")\n'
        "  end\n"
        "end\n"
    ),
    "bash": (
        "#!/usr/bin/env bash\n"
        "set -euo pipefail\n"
        'for host in "$@"; do\n'
        '  ssh -o ConnectTimeout=5 "$host" uptime || echo "$host is down" >&2\n'
        "done\n"
    ),
    "javascript": (
        "export async function fetchAll(urls) {\n"
        "  const responses = await Promise.all(urls.map((url) => fetch(url)));\n"
        "  return Promise.all(responses.filter((r) => r.ok).map((r) => r.json()));\n"
        "}\n"
    ),
    "sql": (
        "SELECT subscriber_id, count(*) AS events\n"
        "FROM notifications\n"
        "WHERE sent_at > now() - interval '7 days'\n"
        "GROUP BY subscriber_id\n"
        "ORDER BY events DESC\n"
        "LIMIT 20;\n"
    ),
    "go": (
        "func retry(attempts int, wait time.Duration, f func() error) error {\n"
        "\tvar err error\n"
        "\tfor i := 0; i < attempts; i++ {\n"
        "\t\tif err = f(); err == nil {\n"
        "\t\t\treturn nil\n"
        "\t\t}\n"
        "\t\ttime.Sleep(wait << i)\n"
        "\t}\n"
        "\treturn err\n"
        "}\n"
    ),
    "yaml": (
        "services:\n"
        "  worker:\n"
        "    image: example/worker:1.4\n"
        "    restart: unless-stopped\n"
        "    environment:\n"
        "      QUEUE_URL: redis://cache:6379/0\n"
    ),
}


def sentence(rng: random.Random) -> str:
    """One sentence, sometimes with inline code, emphasis or an inline link."""
    words = [rng.choice(ADJECTIVES), rng.choice(NOUNS), rng.choice(VERBS), "the"]
    words += [rng.choice(ADJECTIVES), rng.choice(NOUNS)]
    while len(words) < rng.randint(8, 14):
        words += [rng.choice(("and", "when", "so", "but", "because", "while")), "the"]
        words += [rng.choice(NOUNS), rng.choice(VERBS), rng.choice(ADVERBS)]
    roll = rng.random()
    spot = rng.randrange(1, len(words))
    if roll < 0.12:
        words[spot] = f"`{rng.choice(NOUNS)}.{rng.choice(VERBS)[:-1]}()`"
    elif roll < 0.2:
        words[spot] = f"*{words[spot]}*"
    elif roll < 0.3:
        noun = rng.choice(NOUNS)
        words[spot] = f"[{noun}](https://example.com/docs/{noun})"
    return " ".join(words).capitalize() + "."


def paragraph(rng: random.Random) -> str:
    """Three to six sentences."""
    return " ".join(sentence(rng) for _ in range(rng.randint(3, 6)))


def bullet_list(rng: random.Random) -> str:
    """A bulleted or numbered list of short items."""
    marker = rng.choice(("-", "*", "1."))
    count = rng.randint(3, 5)
    return "\n".join(
        f"{marker} {rng.choice(VERBS).capitalize()} the {rng.choice(NOUNS)}" for _ in range(count)
    )


def code_block(rng: random.Random) -> str:
    """A fenced code block in one of the languages."""
    language = rng.choice(sorted(CODE))
    return f"```{language}\n{CODE[language]}```"


def quote(rng: random.Random) -> str:
    """A blockquote attributed on its last line."""
    return f"> {paragraph(rng)}\n>\n> -- {rng.choice(AUTHORS)}"


def article_body(rng: random.Random) -> str:
    """Sections under headings, with lists, code, a quote now and then and a reference link."""
    parts = [paragraph(rng)]
    for section in range(rng.randint(2, 4)):
        parts.append(f"## {rng.choice(ADJECTIVES).capitalize()} {rng.choice(NOUNS)}s")
        parts += [paragraph(rng) for _ in range(rng.randint(1, 3))]
        if rng.random() < 0.6:
            parts.append(bullet_list(rng))
        if section < 3 and rng.random() < 0.7:
            parts.append(code_block(rng))
        if rng.random() < 0.15:
            parts.append(quote(rng))
    parts.append(f"More in the [{rng.choice(NOUNS)} notes][notes].")
    parts.append(f"[notes]: https://example.com/notes/{rng.randrange(1000)}")
    return "\n\n".join(parts) + "\n"


def header(fields: list[tuple[str, str]]) -> str:
    """Pelican's `Key: value` metadata lines and the blank line after them."""
    return "".join(f"{key}: {value}\n" for key, value in fields) + "\n"


def post_source(rng: random.Random, number: int, flavor: str) -> tuple[str, str]:
    """The file name and text of post number in one flavor."""
    date = datetime(2010, 1, 1, 8) + timedelta(minutes=rng.randrange(60 * 24 * 365 * 12))
    slug = f"post-{number:05d}"
    categories = rng.sample(CATEGORIES, rng.randint(1, 4))
    tags = rng.sample(TAGS, rng.randint(0, 4))
    title = f"{rng.choice(ADJECTIVES).capitalize()} {rng.choice(NOUNS)}s, {number}"
    fields = [("Title", title), ("Date", date.strftime("%Y-%m-%d %H:%M")), ("Slug", slug)]
    if flavor == "engine":
        fields.append(("Category", ", ".join(categories)))
        extra_tags = tags
    else:
        fields.append(("Category", categories[0]))
        extra_tags = categories[1:] + tags
    if extra_tags:
        fields.append(("Tags", ", ".join(extra_tags)))
    if rng.random() < QUOTE_SHARE:
        author = rng.choice(AUTHORS)
        if flavor == "engine":
            fields += [("Format", "quote"), ("Quote-Author", author)]
        body = f"> {paragraph(rng)}\n>\n> -- {author}\n"
    else:
        body = article_body(rng)
    return f"{slug}.md", header(fields) + body


def write_corpus(folder: Path, posts: int, flavor: str, seed: int = 1) -> Path:
    """Write posts in one flavor into folder (with the site's own pages for engine); return it."""
    if flavor not in FLAVORS:
        raise ValueError(f"unknown corpus flavor {flavor!r}; expected one of {FLAVORS}")
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    for number in range(posts):
        name, text = post_source(rng, number, flavor)
        (folder / name).write_text(text, encoding="utf-8")
    if flavor == "engine":
        # The site's own pages (about, search, 404), which its templates link to.
        shutil.copytree(PROJECT / "content" / "pages", folder / "pages", dirs_exist_ok=True)
    return folder


def photo(rng: random.Random) -> Image.Image:
    """A photo-sized picture (2 to 4 megapixels) with detail and grain, as a camera's has."""
    width, height = rng.choice(PHOTO_SIZES)
    centre = (rng.uniform(-1.5, 0.2), rng.uniform(-0.6, 0.6))
    extent = (centre[0] - 0.5, centre[1] - 0.4, centre[0] + 0.5, centre[1] + 0.4)
    detail = Image.effect_mandelbrot((width // 4, height // 4), extent, 64).resize((width, height))
    grain = Image.effect_noise((width, height), 24)
    return Image.merge("RGB", (detail, Image.blend(detail, grain, 0.5), grain))


def add_photos(folder: Path, share: float = PHOTO_SHARE, seed: int = 1) -> list[str]:
    """Give every (1/share)th post one or two photos (JPEGs in images/); return their names."""
    rng = random.Random(seed)
    (folder / "images").mkdir(exist_ok=True)
    shown = []
    for post in sorted(folder.glob("*.md"))[:: round(1 / share)]:
        lines = []
        for number in range(rng.randint(1, 2)):
            name = f"{post.stem}-{number}.jpg"
            photo(rng).save(folder / "images" / name, quality=88)
            lines.append(f"![Photo {number + 1} of {post.stem}](/images/{name})")
        text = post.read_text(encoding="utf-8")
        head, body = text.split("\n\n", 1)
        post.write_text(f"{head}\n\n" + "\n\n".join(lines) + f"\n\n{body}", encoding="utf-8")
        shown.append(post.name)
    return shown


def main() -> None:
    """Write a corpus from the command line: `python -m bench.corpus OUT --posts N`."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--flavor", choices=FLAVORS, default="engine")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--photos", action="store_true", help="give one post in five photos")
    arguments = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    write_corpus(arguments.folder, arguments.posts, arguments.flavor, arguments.seed)
    if arguments.photos:
        add_photos(arguments.folder, seed=arguments.seed)
    logger.info("%d posts written to %s", arguments.posts, arguments.folder)


if __name__ == "__main__":
    main()
