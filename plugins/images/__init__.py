from .images import register
