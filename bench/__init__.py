"""Benchmarks of audience-stats: `make bench` runs them and writes BENCHMARKS.md."""
