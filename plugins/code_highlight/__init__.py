from .code_highlight import register
