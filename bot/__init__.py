"""The Slack adapter: listeners turn Slack requests into domain commands and render Block Kit replies."""
