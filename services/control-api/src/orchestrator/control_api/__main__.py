"""``python -m orchestrator.control_api``: serve the control-api."""

from orchestrator.control_api.settings import get_settings
from orchestrator.core.http.serve import serve

if __name__ == "__main__":
    http = get_settings().http
    serve("orchestrator.control_api.app:create_app", host=http.host, port=http.port)
