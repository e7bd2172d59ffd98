"""What of a post is its text, and what is its metadata: one rule for every part of the build.

A page shows the text of its own post (or of the posts on its page of a listing) and, of every
other post, only its metadata. So the incremental writer keys pages by the metadata of all posts
and the text of the posts they show, and the preview's warm rebuild may take an edit only when
it changed a post's text and left its metadata as it was. Both ask this module which is which.
"""

from pelican.contents import Content

# A post's text, as read and as rendered.
TEXT_ATTRIBUTES = frozenset({"_content", "_summary", "content", "summary"})
# What a post shares with every post: not its own.
SHARED_ATTRIBUTES = frozenset({"_context", "settings", "metadata"})
TEXT_METADATA = frozenset({"summary"})


def post_metadata(post: Content) -> dict:
    """Everything a post holds but its text: what pages other than its own may show of it."""
    metadata = post.metadata
    # Pelican copies each metadata value to an attribute; a copy equal to it is said once. (A
    # category is equal to another of its slug: the spelling shown, the oldest post's, is in
    # that post's metadata.) Equal, not identical: a post read again must match the one kept.
    fields = {
        name: value
        for name, value in vars(post).items()
        if name not in TEXT_ATTRIBUTES | SHARED_ATTRIBUTES and metadata.get(name, post) != value
    }
    fields["metadata"] = {k: v for k, v in metadata.items() if k not in TEXT_METADATA}
    return fields
