"""For listeners whose work follows the answer to Slack (Bolt's lazy listeners, run in the listener threads).

The gateway answers when a listener's ack function returns, so anything that waits on Slack or may take long
is a lazy function, and the ack function only checks and acknowledges.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt import Ack, BoltRequest
from slack_bolt.kwargs_injection import build_required_kwargs
from slack_bolt.util.utils import get_arg_names_of_callable

from bot.listeners.errors import answer_error


def just_ack(ack: Ack) -> None:
    """Acknowledge at once: there is nothing to refuse before the work."""
    ack()


def ack_or_refuse(ack: Ack, refusal: str | None) -> None:
    """Acknowledge; with a refusal (or the usage), answer it to the asker alone, and the lazy work does nothing."""
    if refusal:
        ack(response_type="ephemeral", text=refusal)
    else:
        ack()


def answering(work: Callable[..., None]) -> Callable[..., None]:
    """A lazy function whose refusals and failures reach the user as the app's error handler answers them.

    Bolt only logs what a lazy function raises; `work` takes the arguments a listener takes.
    """
    arg_names = get_arg_names_of_callable(work)

    def lazy(request: BoltRequest, logger: logging.Logger) -> None:
        arguments = build_required_kwargs(
            logger=logger, required_arg_names=list(arg_names), request=request, response=None, this_func=work
        )
        try:
            work(**arguments)
        except Exception as error:
            context = request.context
            answer_error(error, request.body, context.respond, context.client, context.user_id)

    lazy.__name__ = lazy.__qualname__ = work.__name__  # Bolt tells lazy functions apart by name
    return lazy
