"""``/api/v1/workflows``: a workspace's workflow definitions."""
