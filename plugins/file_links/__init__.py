from .file_links import register
