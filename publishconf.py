"""Pelican settings for the published site: pelicanconf.py with production values."""

import os
import sys

sys.path.append(os.path.dirname(os.path.abspath(__file__)))

from pelicanconf import *  # noqa: F403

SITEURL = os.environ.get("SITEURL", "").rstrip("/")
if not SITEURL:
    raise RuntimeError(
        "publishconf.py: set SITEURL to the site's address, e.g. https://blog.example"
    )
FEED_DOMAIN = SITEURL
SITEMAP_SAVE_AS = "sitemap.xml"
# Drafts are for the preview; the published site never holds them.
DRAFT_SAVE_AS = ""
DRAFT_PAGE_SAVE_AS = ""
DRAFT_LANG_SAVE_AS = ""
DRAFT_PAGE_LANG_SAVE_AS = ""
