"""What other domains may use of the callbacks domain: its table, the signing-secret purpose and
row, the delivery steps and the signature helpers that webhook forwards reuse.

The only module of this domain that another domain may import (`.importlinter`, ADR 0072).
"""

from orchestrator.core.callbacks.delivery import (
    Attempt,
    CallbackPolicy,
    Delivery,
    Posted,
    Prepared,
    Sender,
    attempt_delivery,
    build_request,
    message_id,
    record_attempt,
    signing_keys,
)
from orchestrator.core.callbacks.models import WorkspaceSecret
from orchestrator.core.callbacks.secrets import CALLBACK_SIGNING, new_secret_row
from orchestrator.core.callbacks.signing import TOLERANCE_S, InvalidSecret, secret_key

__all__ = [
    "CALLBACK_SIGNING",
    "TOLERANCE_S",
    "Attempt",
    "CallbackPolicy",
    "Delivery",
    "InvalidSecret",
    "Posted",
    "Prepared",
    "Sender",
    "WorkspaceSecret",
    "attempt_delivery",
    "build_request",
    "message_id",
    "new_secret_row",
    "record_attempt",
    "secret_key",
    "signing_keys",
]
