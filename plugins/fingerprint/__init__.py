from .fingerprint import register
