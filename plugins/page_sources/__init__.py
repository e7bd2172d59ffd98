from .page_sources import register
