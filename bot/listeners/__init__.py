"""Every listener of the Bolt app, registered in one place."""

from __future__ import annotations

from slack_bolt import App

from bot.listeners import (
    accounting_command,
    balance_command,
    done_action,
    errors,
    middleware,
    shuffle_command,
    task_command,
)
from bot.services import Services


def register_listeners(app: App, services: Services) -> None:
    errors.register(app)
    middleware.register(app, services)
    task_command.register(app, services)
    done_action.register(app, services)
    balance_command.register(app, services)
    shuffle_command.register(app, services)
    accounting_command.register(app, services)
