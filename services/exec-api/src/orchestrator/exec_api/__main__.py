"""``python -m orchestrator.exec_api``: serve the exec-api."""

from orchestrator.core.http.serve import serve
from orchestrator.exec_api.settings import get_settings

if __name__ == "__main__":
    http = get_settings().http
    serve("orchestrator.exec_api.app:create_app", host=http.host, port=http.port)
