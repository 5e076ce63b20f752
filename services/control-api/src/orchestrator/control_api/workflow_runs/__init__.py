"""A workspace's workflow runs and their steps, read by any operator of the organization."""
