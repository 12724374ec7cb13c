"""Names of button actions. Adapters send them back unchanged in `Action.action`."""

ANOTHER_QUOTE = "quote.another"
DISCUSS_QUOTE = "quote.discuss"
SHARE_QUOTE = "share.quote"
MORE_RESULTS = "lookup.more"
SHARE_RESULTS = "share.lookup"
REFLECT_NEXT = "reflect.next"
REFLECT_CLOSE = "reflect.close"
REFLECT_ANONYMOUS = "reflect.anonymous"  # opens the form
ANONYMOUS_SUBMIT = "reflect.anonymous.submit"  # the form's text arrives in `Action.text`
# the evaluation offered at close: a score pressed ("<reflection id>:<1-5>"), then the
# optional comment form, whose value is "<reflection id>:<the answer's one-way digest>"
EVALUATE_SCORE = "reflect.evaluate"
EVALUATE_COMMENT = "reflect.evaluate.comment"
FORGET_CONFIRM = "forget.confirm"  # erases whoever pressed it (the value is never read)
OPEN_ARTICLE = "article.open"  # a link button: the platform opens the address; nothing to do
SCHEDULE_PAUSE = "schedule.pause"  # the schedule card's buttons (admins only, as typed)
SCHEDULE_RESUME = "schedule.resume"
SCHEDULE_SKIP = "schedule.skip"  # the value is the date of the prompt to skip
ACTION_DONE = "action.done"  # a reflection's action marked done; the value is "<reflection id>:<n>"
