"""Test support: the running stack, factories and token forging."""
