"""Search pages for people, served by the service itself (see pages.py)."""
