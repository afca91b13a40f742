"""Helpers shared by test suites: real services to test against, set up and torn down safely."""
