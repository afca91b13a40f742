"""A chat port that prints to a terminal: the demo's window onto the program, and a test double."""

from adapters.console.chat import ConsoleChat, Sent

__all__ = ["ConsoleChat", "Sent"]
