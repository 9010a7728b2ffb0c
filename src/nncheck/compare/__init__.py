"""Comparing a claim with the truth: verdicts, truths, tolerance, numbers as shown."""
