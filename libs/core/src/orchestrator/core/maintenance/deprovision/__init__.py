"""Deprovisioning: deleting a workspace or an organization as a resumable saga (ADR 0100)."""
