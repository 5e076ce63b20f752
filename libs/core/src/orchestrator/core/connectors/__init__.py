"""Connector types (declarative), the generic ``http`` type, payload validation and SSRF policy."""
