"""A workspace's jobs and their attempts, read by any operator of the organization."""
