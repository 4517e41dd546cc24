"""The Slack bot: a Bolt app built by `bot.slack.app.create_app`, started by `newsdesk slack`."""
