"""Tasks: creating, assigning, shuffling and completing tasks."""
