from .redirects import register
