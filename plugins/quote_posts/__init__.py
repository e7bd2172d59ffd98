from .quote_posts import register
