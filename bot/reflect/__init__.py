"""Reflection threads: timing and summaries (pure); opening, contributions and closing,
which store each step and post it; `thread` holds what the three share."""
