"""A workspace's service identities: list, create, disable, enable, rotate secrets."""
