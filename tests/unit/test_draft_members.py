"""A draft edits every named list a bundle holds, and the console offers each of them."""

from __future__ import annotations

from orchestrator.console.pages.drafts import MEMBERS
from orchestrator.core.bundles.model import BundlePolicy, BundleWebhookSource
from orchestrator.core.versions import drafts


def test_a_draft_edits_each_list_of_a_bundle_by_its_items_type() -> None:
    assert drafts.ITEMS["policies"] is BundlePolicy
    assert drafts.ITEMS["webhook_sources"] is BundleWebhookSource  # an optional member too
    assert "tenant" not in drafts.ITEMS  # one object, not a list of named items


def test_the_console_offers_every_member_a_draft_edits() -> None:
    assert set(MEMBERS) == set(drafts.ITEMS)
