"""The HTTP API (C21.1): `segtui api` serves segments, members, rules, contacts, events and
the membership-changes feed as JSON, to callers holding an API token (C21.2).

FastAPI on uvicorn: the field's standard ASGI stack, which types each request body once
(pydantic) and serves the OpenAPI document from the same declarations, so the document
and the server cannot disagree (schemathesis fuzzes the one against the other). The
routes are thin, as the command line's commands: parse, call the Store as the token's
user, shape the answer (segtui/transfer/segment_json.py shares the CLI's shapes).

  app.py        the application: routes, limits, error handlers
  gate.py       who is asking: the token, its user's Store, the request log
  problems.py   errors as RFC 9457 problem details
  routes/       one module per resource
  server.py     running it under uvicorn (and the webhook sender beside it)
"""
