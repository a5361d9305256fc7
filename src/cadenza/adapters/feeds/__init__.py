"""Podcast feeds from elsewhere: outgoing HTTP (fetch.py) and reading RSS (read.py)."""
