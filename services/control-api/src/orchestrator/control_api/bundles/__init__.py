"""``/api/v1/bundles``: a workspace's whole configuration, exported and imported."""
