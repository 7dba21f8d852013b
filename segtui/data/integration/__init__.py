"""What other systems use (C21): API tokens, the webhook outbox and its deliveries."""
