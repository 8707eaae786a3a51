"""`make bench`: speed as ratios to a baseline timed in the same process, and scorer accuracy."""

import os

# The benchmarks sign their people up through the forms and measure pages, not the sign-up
# flow: without mail, new accounts would wait for an admin's approval (SIGNUP_APPROVAL). Set
# here, so every app the benchmarks make, in this process or in a server they start, sees it.
os.environ.setdefault("COACH_SIGNUP_APPROVAL", "false")
