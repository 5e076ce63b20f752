"""``/api/v1/connector-types``: the connector types this deployment knows."""
