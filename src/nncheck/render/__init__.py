"""Renderers of results: rich tables for a terminal, plain text, and JSON for scripts."""
