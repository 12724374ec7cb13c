"""Reflection threads: timing and summaries (pure), and the flow that posts and stores."""
