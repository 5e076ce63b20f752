"""The ``stripe`` connector type: Stripe's API for customers, payments, refunds and
subscriptions (a code handler speaking HTTP).

A connector's config is optional::

    {"api_version": "2026-02-25.clover", "base_url": "https://api.stripe.com"}

and its one secret, ``api_key`` (a secret or restricted key), is sent as
``Authorization: Bearer``. The API version is pinned per connector (``Stripe-Version``
on every request), so an account's default version changing upstream changes nothing.

Calls go through the process's pooled upstream HTTP client, the one ``http`` calls use:
the address policy, the timeouts and the keep-alive pool are theirs. Every write (a
``POST``) carries an ``Idempotency-Key`` derived from the caller's key or the job id (a
random one fixed for the call otherwise), the same on each attempt, so Stripe performs
it once. Stripe's answers are judged by ``outcomes``: ``Stripe-Should-Retry`` first,
then the error's type and status (a card error is final, a rate limit is retried).

The modules: ``config`` (the connector's config), ``forms`` (Stripe's form encoding of
nested parameters), ``operations`` (the operations and their schemas), ``calls`` (a
payload into a ``StripeCall``, and its request per attempt), ``outcomes`` (answers and
failures as attempt results), ``sending`` (one attempt) and ``handler`` (the type as
the registry knows it).
"""
