"""``/api/v1/configs``: named JSON documents kept as immutable versions."""
