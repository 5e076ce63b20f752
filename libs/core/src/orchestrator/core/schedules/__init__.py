"""Cron schedules: the cron maths, the CRUD rules and the scheduler that fires them."""
