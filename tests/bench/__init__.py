"""Benchmarks (`make bench`): the system started as processes, measured from the outside."""
