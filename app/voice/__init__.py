"""Spoken answers: local speech-to-text and delivery figures (the `voice` extra)."""
