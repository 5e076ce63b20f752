"""``/api/v1/connectors``: a workspace's configured connectors."""
