from .text_titles import register
