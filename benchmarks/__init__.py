"""`make bench`: speed as ratios to a baseline timed in the same process, and scorer accuracy."""
