"""``/api/v1/schedules``: a workspace's cron schedules."""
