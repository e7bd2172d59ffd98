"""Tiny sites read and built by the real Pelican with the project's settings, plugins and theme."""

from pathlib import Path

from bs4 import BeautifulSoup
from pelican import Pelican, signals
from pelican.generators import ArticlesGenerator, PagesGenerator
from pelican.settings import read_settings

from tests.conftest import REPO


class TinySite:
    """A content folder of Markdown fixtures, and ways to read or build it with Pelican."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.content = root / "content"
        self.output = root / "output"
        (self.content / "pages").mkdir(parents=True, exist_ok=True)

    def add(self, name: str, text: str | bytes) -> Path:
        """Write one source file into the content folder."""
        path = self.content / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    def settings(self, **overrides) -> dict:
        """The project's settings, pointed at this site."""
        return read_settings(
            str(REPO / "pelicanconf.py"),
            override={
                "PATH": str(self.content),
                "OUTPUT_PATH": str(self.output),
                "CACHE_PATH": str(self.root / "cache"),
                "CACHE_CONTENT": False,
                **overrides,
            },
        )

    def generate(self, **overrides) -> list:
        """Read the content with the plugins on, as Pelican does, up to the point of writing."""
        settings = self.settings(**overrides)
        Pelican(settings)  # loads the plugins and sends `initialized`
        context = {**settings, "generated_content": {}, "static_links": set(), "static_content": {}}
        generators = [
            generator_class(
                context=context,
                settings=settings,
                path=settings["PATH"],
                theme=settings["THEME"],
                output_path=settings["OUTPUT_PATH"],
            )
            for generator_class in (ArticlesGenerator, PagesGenerator)
        ]
        for generator in generators:
            generator.generate_context()
        signals.all_generators_finalized.send(generators)
        return generators

    def articles(self, **overrides) -> dict[str, object]:
        """The articles Pelican read, by slug."""
        articles_generator = self.generate(**overrides)[0]
        return {article.slug: article for article in articles_generator.articles}

    def build(self, **overrides) -> Path:
        """Build the whole site into the output folder; the settings it used stay in built_with."""
        self.built_with = self.settings(**overrides)
        Pelican(self.built_with).run()
        return self.output

    def page(self, url_path: str) -> BeautifulSoup:
        """Parse the built page at a URL path."""
        file = self.output / url_path.strip("/") / "index.html"
        return BeautifulSoup(file.read_text(encoding="utf-8"), "html.parser")


def post(title: str, body: str, date: str = "2020-01-01", **metadata: str) -> str:
    """A Markdown post with a title, date, optional metadata and body."""
    header = {"Title": title, "Date": date, **{k.replace("_", "-"): v for k, v in metadata.items()}}
    lines = [f"{key}: {value}" for key, value in header.items()]
    return "\n".join(lines) + "\n\n" + body.strip("\n") + "\n"


def messages(caplog, logger_name: str, level: int) -> list[str]:
    """The messages one logger wrote at exactly one level."""
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == logger_name and record.levelno == level
    ]
