"""``python -m orchestrator.webhook_ingress``: serve the webhook ingress."""

from orchestrator.core.http.serve import serve
from orchestrator.webhook_ingress.settings import get_settings

if __name__ == "__main__":
    http = get_settings().http
    serve("orchestrator.webhook_ingress.app:create_app", host=http.host, port=http.port)
