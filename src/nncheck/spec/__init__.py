"""The formats nncheck reads, as pydantic models: problems, parts, networks, layer models."""
