"""``Idempotency-Key`` (specs/protocols.md §2): store the first response, replay it."""
