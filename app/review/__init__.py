"""Sharing attempts with coaches, and what coaches say about them. Services only: the views
belong to the candidate's blueprint (practice) and the coach's (coach)."""
