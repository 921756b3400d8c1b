"""Every listener of the Bolt app, registered in one place.

Each module's listeners are module-level functions that `register(app)` hands to Bolt; what they need from the
rest of the system they find in Bolt's context (`middleware.services_of(context)`, `context["actor"]`).
"""

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
from bot.listeners.middleware import WithServices
from bot.services import Services


def register_listeners(app: App, services: Services) -> None:
    app.middleware(WithServices(services))  # first: every other middleware and listener reads it
    errors.register(app)
    slack_retries.register(app)
    middleware.register(app)
    task_command.register(app)
    task_forms.register(app)
    task_menu.register(app)
    task_list.register(app)
    task_board.register(app)
    task_shortcuts.register(app)
    done_action.register(app)
    balance_command.register(app)
    shuffle_command.register(app)
    analytics_command.register(app)
    home_tab.register(app)
    role_command.register(app)
    user_events.register(app)
    accounting_command.register(app)
