"""Reading and writing files: bytes to documents, class folders, atomic writes, the report."""
