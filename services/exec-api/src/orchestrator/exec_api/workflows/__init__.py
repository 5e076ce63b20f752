"""``/api/v1/workflows/{name}/runs`` and ``/api/v1/workflow-runs/{id}``: workflow runs."""
