"""The answerer, its renderers, the `newsdesk` CLI and the Slack bot."""
