from .languages import register
