"""Provider webhook verifiers: pure functions over headers and raw body bytes."""
