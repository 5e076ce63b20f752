"""Deprovisioning operations: follow a workspace's or an organization's deletion."""
