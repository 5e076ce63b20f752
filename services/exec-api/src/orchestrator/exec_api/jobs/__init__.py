"""``/api/v1/jobs``: submit, read, list and cancel asynchronous jobs."""
