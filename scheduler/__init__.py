"""The scheduler decides when and drives delivery through the outbound port: `plan` decides
which weekly slots are due (pure, given the schedules, the ledger and now), `service` posts
them through the context's outboxes and does reflection threads' timed work
(`reflections`), and `timer` wakes it on time and on a regular pass."""
