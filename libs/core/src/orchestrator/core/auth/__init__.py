"""Service tokens: signing keys, issuing, verification and revocation."""
