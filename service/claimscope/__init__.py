"""claimscope: turn news articles into searchable evidence."""

from claimscope.pipeline.hookspecs import Found, hookimpl

__all__ = ["Found", "hookimpl"]
__version__ = "0.1.0"
