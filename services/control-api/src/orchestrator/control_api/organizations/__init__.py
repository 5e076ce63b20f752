"""Organizations, created and listed by platform operators only (ADR 0051)."""
