"""Spot-checking: the HTML/terminal views, reviewer decisions, gold export and run health figures."""
