"""webhook_ingress."""
