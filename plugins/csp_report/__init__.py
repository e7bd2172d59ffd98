from .csp_report import register
