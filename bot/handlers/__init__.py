"""Command and button handlers. Each takes the context and the event and returns replies."""
