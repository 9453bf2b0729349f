"""Evaluation: the seed suite, the regression gate, metrics and external benchmarks."""
