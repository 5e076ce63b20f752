"""Operator commands against a running deployment: stored logins, an HTTP client that
fetches and keeps tokens, and one module per command group (each imports its HTTP
machinery only when a command runs, so ``orchestrator --help`` stays fast)."""
