from .multi_category import register
