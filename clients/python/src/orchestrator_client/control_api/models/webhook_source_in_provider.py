from enum import StrEnum


class WebhookSourceInProvider(StrEnum):
    CORALOGIX = "coralogix"
    GITHUB = "github"
    HMAC = "hmac"
    INCIDENT_IO = "incident_io"
    PAGERDUTY = "pagerduty"
    SHOPIFY = "shopify"
    SLACK = "slack"
    STANDARD_WEBHOOKS = "standard_webhooks"
    STRIPE = "stripe"
    SVIX = "svix"

    def __str__(self) -> str:
        return str(self.value)
