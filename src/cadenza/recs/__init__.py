"""The recommendation engine (issue 12)."""
