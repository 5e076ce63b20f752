"""Webhook sources and their bindings (``/api/v1/webhooks/sources``)."""
