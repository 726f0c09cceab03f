"""Synthetic province for demos, tests and quality measurement."""
