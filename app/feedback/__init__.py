"""Optional AI feedback: advice grounded in quotes from the answer. The rubric score stays the
score of record; nothing here can change it."""
