from .link_checker import register
