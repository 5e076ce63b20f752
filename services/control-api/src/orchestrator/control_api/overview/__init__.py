"""A workspace at a glance, read by any operator of the organization."""
