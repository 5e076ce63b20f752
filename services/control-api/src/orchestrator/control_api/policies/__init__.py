"""``/api/v1/policies``: a workspace's named policies."""
