"""claimscope extractors on spaCy, registered through the claimscope entry point."""

__version__ = "0.1.0"
