"""For listeners whose work follows the answer to Slack: Bolt's lazy listeners (`lazy=[...]`), run in the
listener threads.

The gateway answers when a listener's ack function returns, so anything that waits on Slack or may take long
is a lazy function, and the ack function only checks and acknowledges. Bolt only logs what a lazy function
raises, so each one does its work inside `answered`, which answers the user as the app's error handler would.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from slack_bolt import Ack, BoltContext

from bot.listeners.errors import answer_error
from bot.replies import Refusal, message_of


def just_ack(ack: Ack) -> None:
    """Acknowledge at once: there is nothing to refuse before the work."""
    ack()


def ack_or_refuse(ack: Ack, refusal: str | Refusal | None) -> None:
    """Acknowledge; with a refusal (or the usage), answer it to the asker alone, and the lazy work does nothing.

    A string is our own words in mrkdwn; a Refusal names what the person typed, shown as typed."""
    if refusal:
        ack(response_type="ephemeral", **message_of(refusal))
    else:
        ack()


@contextmanager
def answered(body: dict[str, Any], context: BoltContext) -> Iterator[None]:
    """Around a lazy function's work: a refusal or failure raised in it reaches the user (privately), and a
    failure is logged, as `errors.answer_error` answers them."""
    try:
        yield
    except Exception as error:
        answer_error(error, body, context.respond, context.client, context.user_id)
