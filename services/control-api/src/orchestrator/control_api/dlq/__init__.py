"""The dead-letter queue as operators see it: list, replay and purge (``/api/v1/dlq``)."""
