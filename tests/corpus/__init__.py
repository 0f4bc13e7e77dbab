"""Builders for the nasty-file corpus: tests write their files at run time (no binary fixtures)."""
