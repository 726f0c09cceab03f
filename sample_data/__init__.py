"""Synthetic province for demos, tests and quality measurement."""
from .generator import generate

__all__ = ["generate"]
