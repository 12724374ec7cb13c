"""The scheduler decides when prompts are due and drives delivery through the outbound port.

It arrives with the weekly-prompts work; for now `prompt` posts on demand only."""
