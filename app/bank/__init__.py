"""Question banks: the file format (read, validate, write) and the import service."""
