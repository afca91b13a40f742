"""The message catalogues: `messages.pot` extracted from the code, one `.po` file per shipped language."""
