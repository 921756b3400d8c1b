"""Benchmarks: run by hand, they print figures (see the README)."""
