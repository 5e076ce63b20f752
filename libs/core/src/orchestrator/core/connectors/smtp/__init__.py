"""The ``smtp`` connector type: one operation, ``send_email``, over SMTP (a code handler).

A connector's config names the submission server and the sender::

    {"host": "smtp.example.com", "port": 587, "security": "starttls",
     "from_address": "billing@example.com", "reply_to": "help@example.com"}

with the optional secrets ``username`` and ``password`` for AUTH (sent only over TLS).
The host is tenant-set, so it passes the same address policy as an ``http`` base URL:
at configuration time by name, and at call time every resolved address, the
connection going to the checked address itself (no second lookup to rebind).

Sending an email twice is two emails, so ``send_email`` is not idempotent. Each
message carries a ``Message-ID`` derived from the caller's idempotency key or the job
id when there is one, so the attempts of one job carry the same id and a receiver
can recognise a repeat. What may be retried (see ``outcomes``): anything that failed
before the message content was handed over (nothing can have been delivered), and,
only when repeating is safe, a failure during or after ``DATA``.

The modules: ``config`` (the connector's config), ``send_email`` (the operation's
payload and output schemas), ``message`` (a payload into an ``SmtpCall``),
``outcomes`` (SMTP replies and failures as attempt results), ``sending`` (one
attempt over the network) and ``handler`` (the type as the registry knows it).
"""
