"""``Idempotency-Key`` (docs/protocols.md §2): store the first response, replay it."""
