"""Chores that span several domains, above them all: retention, sweeps and KEK rotation."""
