"""cpkb: the child-protection knowledge base."""

__version__ = "0.1.0"
