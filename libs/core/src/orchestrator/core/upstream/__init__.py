"""Outbound HTTP to upstream APIs: one small client interface and its implementation."""
