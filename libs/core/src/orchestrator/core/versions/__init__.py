"""A workspace's configuration as numbered, immutable versions (ADR 0077)."""
