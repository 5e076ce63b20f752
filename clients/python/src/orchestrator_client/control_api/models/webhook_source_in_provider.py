from enum import StrEnum


class WebhookSourceInProvider(StrEnum):
    GITHUB = "github"
    HMAC = "hmac"
    PAGERDUTY = "pagerduty"
    SHOPIFY = "shopify"
    SLACK = "slack"
    STANDARD_WEBHOOKS = "standard_webhooks"
    STRIPE = "stripe"

    def __str__(self) -> str:
        return str(self.value)
