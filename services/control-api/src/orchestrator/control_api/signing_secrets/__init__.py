"""The workspace's signing secrets for callbacks and webhook forwards: reveal and rotate."""
