"""The processes of aTES: composition, event consumers, the outbox relay, Celery, the operator's CLI."""
