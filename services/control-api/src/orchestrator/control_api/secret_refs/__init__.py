"""``/api/v1/secret-refs``: where a workspace's secrets live, and write-only ``db://`` values."""
