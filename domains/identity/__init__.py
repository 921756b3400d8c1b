"""Identity: who the users are (from Slack) and what role each has."""
