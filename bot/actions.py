"""Names of button actions. Adapters send them back unchanged in `Action.action`."""

ANOTHER_QUOTE = "quote.another"
DISCUSS_QUOTE = "quote.discuss"
SHARE_QUOTE = "share.quote"
MORE_RESULTS = "lookup.more"
SHARE_RESULTS = "share.lookup"
