"""A local Slack playground: a web page standing in for a Slack workspace, talking to the app as Slack does.

`make run` with no SLACK_BOT_TOKEN serves it beside the Bolt app: the page at `/`, its endpoints under
`/playground/`, and a fake Slack Web API at `/playground/api/` that SLACK_API_URL points at.
"""
