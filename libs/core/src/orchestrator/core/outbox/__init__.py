"""The transactional outbox: messages written with the change, published by a relay."""
