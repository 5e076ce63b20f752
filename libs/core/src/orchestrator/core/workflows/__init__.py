"""Workflows: ordered connector operations with compensations, run one job at a time."""
