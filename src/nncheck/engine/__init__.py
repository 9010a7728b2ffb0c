"""The numeric machinery that solvers share: networks of units and their exact threshold
rule, exact arithmetic on expressions, backpropagation, layer shape and parameter inference,
polynomial fitting of symbolic sizes, and the loss table."""
