from .embeds import register
