from .content_checks import register
