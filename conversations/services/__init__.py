"""Use cases of the program, each a set of plain async functions over a unit of work."""
