"""The operator console: a backend-for-frontend over the control-api and exec-api."""
