"""nncheck: check neural-network exam answers against the truth."""

__version__ = "0.2.0"
