"""What other domains may use of the callbacks domain: its table, the signing-secret purpose and
row, the delivery steps and the signature helpers that webhook forwards reuse.

The only module of this domain that another domain may import (`.importlinter`, ADR 0072).
"""

from orchestrator.core.callbacks.delivery import (
    CallbackPolicy,
    Delivery,
    after_attempt,
    build_request,
    message_id,
    post_once,
    signing_keys,
)
from orchestrator.core.callbacks.models import WorkspaceSecret
from orchestrator.core.callbacks.secrets import CALLBACK_SIGNING, new_secret_row
from orchestrator.core.callbacks.signing import TOLERANCE_S, InvalidSecret, secret_key

__all__ = [
    "CALLBACK_SIGNING",
    "TOLERANCE_S",
    "CallbackPolicy",
    "Delivery",
    "InvalidSecret",
    "WorkspaceSecret",
    "after_attempt",
    "build_request",
    "message_id",
    "new_secret_row",
    "post_once",
    "secret_key",
    "signing_keys",
]
