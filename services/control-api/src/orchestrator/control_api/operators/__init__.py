"""Operators of an organization: list, create, disable, enable, rotate secrets."""
