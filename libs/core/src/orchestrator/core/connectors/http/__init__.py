"""The generic ``http`` connector type: operations mapped to HTTP requests by templates.

A connector's config names a ``base_url`` and, per operation, a method, a path
template (appended to ``base_url``), query and header templates and a body
(see ``connectors.templates`` for the syntax)::

    {
      "base_url": "https://api.example.com/v1",
      "headers": {"Accept": "application/json"},
      "auth": {"type": "bearer", "secret": "api_token"},
      "operations": {
        "get_user": {"method": "GET", "path": "/users/{user_id}",
                     "query": {"expand": "{expand?}"}},
        "create_charge": {"method": "POST", "path": "/charges",
                          "body": {"amount": "{amount}", "meta": {"source": "orchestrator"}},
                          "payload_schema": {"type": "object", "required": ["amount"]}}
      }
    }

Without ``body``, POST, PUT and PATCH send the whole payload as JSON and other
methods send none; ``"body": null`` sends none. ``body_encoding: "form"``
sends a flat object form-encoded. Auth reads secrets by *name*; the caller
resolves the connector's secret refs into ``{name: value}``.

The modules: ``config`` (the config's structs and JSON Schema), ``headers`` (what a
header name and value may hold), ``auth`` (the auth schemes and the header each
sends), ``parsing`` (every check on a config, and the parse cache), ``rendering``
(a payload into an ``UpstreamRequest``), ``responses`` (the upstream's body) and
``handler`` (the type as the registry knows it).
"""
