"""Reading and writing files: YAML documents, problems and sheets, class folders, reports."""
