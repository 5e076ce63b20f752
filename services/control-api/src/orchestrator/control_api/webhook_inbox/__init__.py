"""The webhook inbox: stored deliveries, their routing status, retries (``/api/v1/webhooks/inbox``)."""
