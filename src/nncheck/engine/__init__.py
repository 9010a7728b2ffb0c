"""The numeric machinery that solvers share."""
