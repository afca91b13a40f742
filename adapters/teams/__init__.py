"""Microsoft Teams, through the Bot Framework: kept thin so it can move to the Microsoft 365 Agents SDK."""
