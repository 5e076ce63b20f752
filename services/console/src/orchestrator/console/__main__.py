"""``python -m orchestrator.console``: serve the operator console."""

from orchestrator.console.settings import get_settings
from orchestrator.core.http.serve import serve

if __name__ == "__main__":
    http = get_settings().http
    serve("orchestrator.console.app:create_app", host=http.host, port=http.port)
