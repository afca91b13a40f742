"""The Slack adapter: Bolt on the project's aiohttp server (or Socket Mode), Block Kit rendering and
the Slack `ChatPort`."""
