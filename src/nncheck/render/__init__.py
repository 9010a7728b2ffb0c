"""Renderers: a sheet as rich tables, plain text or JSON; a class as its summary and gradebooks."""
