"""exec_api."""
