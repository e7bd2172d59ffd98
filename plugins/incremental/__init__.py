from .incremental import register
