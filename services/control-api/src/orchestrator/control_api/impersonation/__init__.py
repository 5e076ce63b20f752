"""Impersonation: short-lived exec tokens an operator acts through, audited."""
