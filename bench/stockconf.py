"""Stock Pelican 4.12 for comparison: default theme, Markdown with codehilite, typogrify."""

AUTHOR = "Bench"
SITENAME = "Bench"
SITEURL = ""
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
TYPOGRIFY = True
# Pelican's defaults otherwise: codehilite and extra in MARKDOWN, every feed, tag pages.
