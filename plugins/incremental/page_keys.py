"""What each page of the site is keyed by: a page whose key is unchanged is kept as it was.

A page's key covers the environment (settings, theme, plugin code, library versions), the
site-wide data every page may show (every post's metadata, by `post_metadata`), its template,
name and variables, and the full text of the posts it shows: its own, or those on its page of a
listing. That is exact because a template shows the text of its own post and of the posts on
its page only; all it shows of other posts comes from their metadata.
"""

from pelican.contents import Content, Static
from pelican.urlwrappers import URLWrapper

from sitebuild.post_parts import post_metadata

from .keys import VOLATILE_SETTINGS, digest, plain_text, stable_text


class PageKeys:
    """The keys of one build's pages, with what it has described memoised for the build."""

    def __init__(self, environment: str, settings: dict) -> None:
        self.environment = environment
        self.settings = settings
        self.site: str | None = None
        self.site_context: dict = {}
        self.described: dict[int, tuple[object, str]] = {}
        self.full_texts: dict[int, tuple[object, str]] = {}

    def describe(self, value: object) -> str:
        """A stable text for a value, with posts as their metadata; lists of posts memoised."""
        if isinstance(value, Content):
            return self.memoised(value, self.card)
        if isinstance(value, list) and value and isinstance(value[0], Content):
            return self.memoised(value, lambda v: digest(*(self.describe(c) for c in v)))
        if isinstance(value, URLWrapper):
            return self.memoised(value, lambda v: stable_text(v, self.describe))
        return stable_text(value, self.describe)

    def memoised(self, value: object, describe, table: dict | None = None) -> str:
        """Describe a value once per build (the value is kept, so its id stays its own)."""
        table = self.described if table is None else table
        known = table.get(id(value))
        if known is None or known[0] is not value:
            known = (value, describe(value))
            table[id(value)] = known
        return known[1]

    def card(self, content: Content) -> str:
        """A digest of a post's metadata: all a page may show of a post that is not on it."""
        if isinstance(content, Static):
            # A published file is its source and its address; a site has thousands (pictures).
            return digest(type(content).__name__, content.source_path, content.url, content.save_as)
        fields = post_metadata(content)
        fields["url"], fields["save_as"] = content.url, content.save_as
        return digest(plain_text(fields))

    def full(self, content: Content) -> str:
        """A digest of a post's metadata and text."""
        return self.memoised(
            content,
            lambda c: digest(self.describe(c), c._content or "", str(c.metadata.get("summary"))),
            self.full_texts,
        )

    def prime(self, context: dict) -> None:
        """Describe the site and every post's text now, ahead of the builds that will use them."""
        self.site_digest(context)
        for content in context["generated_content"].values():
            self.full(content)

    def forget_text(self, posts: list[Content]) -> None:
        """Forget the text of posts whose text was replaced (their metadata is as it was)."""
        for content in posts:
            self.full_texts.pop(id(content), None)

    def context_digest(self, context: dict) -> str:
        """The site digest, plus what a page's own copy of the context changed, if anything."""
        site = self.site_digest(context)
        if context is self.site_context:
            return site
        # Some pages get a copy of the context with a few values of their own (period archives).
        marker = object()
        own = {k: v for k, v in context.items() if self.site_context.get(k, marker) is not v}
        return digest(site, self.describe(own))

    def site_digest(self, context: dict) -> str:
        """A digest of the environment and the site-wide data, made once per build."""
        if self.site is None:
            self.site_context = context
            # Settings in the context are the settings' own objects, already in the environment.
            shared = {
                k: v
                for k, v in context.items()
                if k not in VOLATILE_SETTINGS and v is not self.settings.get(k, context)
            }
            self.site = digest(self.environment, self.describe(shared))
        return self.site

    def page_key(self, context: dict, template, name: str, variables: dict, shown: list) -> str:
        """The key of one page: site, template, name, variables, and the posts it shows in full."""
        shown = shown + [value for value in variables.values() if isinstance(value, Content)]
        return digest(
            self.context_digest(context),
            template.name or "",
            name,
            self.describe({k: v for k, v in variables.items() if not isinstance(v, Content)}),
            *(self.full(content) for content in shown),
        )
