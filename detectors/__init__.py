"""Detectors: legal rules and statistical models that turn loaded records into warnings (flags)."""
