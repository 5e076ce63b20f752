"""``/api/v1/quotas``: a workspace's limits."""
