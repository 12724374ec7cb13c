"""What the Slack adapter itself says (everything else comes from bot/messages/)."""

WORKING = "Working on it…"
NOT_IN_CHANNEL = (
    "Rounds isn't a member of this channel, so it can't start a thread here. "
    "Add it with `/invite @Rounds` and press the button again."
)
POST_FAILED = (
    "Slack didn't accept the post just now, so nothing was shared. "
    "Your message is still here: please press the button again in a moment."
)
FORM_CANCEL = "Cancel"
FORM_CLOSE = "Close"
FORM_WORKING = "Posting your contribution…"
FORM_FAILED = (
    "Slack didn't open the form just now, so nothing was sent. "
    "Please press the button again in a moment."
)
