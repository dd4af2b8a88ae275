"""Benchmarks, run with `make bench` (python -m benchmarks). Figures are ratios
against references measured in the same run, never absolute thresholds in tests."""
