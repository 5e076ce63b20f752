"""Asynchronous jobs: the lifecycle state machine, submission, claiming and finishing."""
