"""The reverse-mentoring engine: domain, services and the ports it speaks through.

Nothing here imports a chat platform, a database driver or an HTTP library, so the same rules run
unchanged behind Slack, Teams, the console demo and the tests.
"""
