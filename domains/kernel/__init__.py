"""The shared kernel: what every domain talks through (settings, events, outbox, bus)."""
