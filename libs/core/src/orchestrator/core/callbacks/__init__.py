"""Signed completion callbacks (Standard Webhooks), delivered and retried by the worker."""
