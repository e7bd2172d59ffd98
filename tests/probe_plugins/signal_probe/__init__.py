from .signal_probe import register
