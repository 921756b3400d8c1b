"""Every listener of the Bolt app, registered in one place."""

from __future__ import annotations

from slack_bolt import App

from bot.listeners import (
    accounting_command,
    analytics_command,
    balance_command,
    done_action,
    errors,
    home_tab,
    middleware,
    role_command,
    shuffle_command,
    slack_retries,
    task_board,
    task_command,
    task_forms,
    task_list,
    task_menu,
    task_shortcuts,
    user_events,
)
from bot.services import Services


def register_listeners(app: App, services: Services) -> None:
    errors.register(app)
    slack_retries.register(app, services)
    middleware.register(app, services)
    task_command.register(app, services)
    task_forms.register(app, services)
    task_menu.register(app, services)
    task_list.register(app, services)
    task_board.register(app, services)
    task_shortcuts.register(app, services)
    done_action.register(app, services)
    balance_command.register(app, services)
    shuffle_command.register(app, services)
    analytics_command.register(app, services)
    home_tab.register(app, services)
    role_command.register(app, services)
    user_events.register(app, services)
    accounting_command.register(app, services)
