"""``POST /api/v1/execute``: one connector operation, now, under its policy."""
