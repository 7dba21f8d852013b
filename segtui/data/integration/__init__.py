"""What other systems use (C21): API tokens (tokens), webhook subscriptions and their
delivery log (webhooks), the outbox's triggers (outbox), and the webhook sender (sender,
over http_post's kept connections)."""
