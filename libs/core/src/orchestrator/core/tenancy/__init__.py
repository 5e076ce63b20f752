"""Organizations, workspaces (a saga) and the identities that act on them."""
