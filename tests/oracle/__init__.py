"""PyTorch as the oracle, recorded: the cases the tests choose, and torch's answers to them.

Each family (`models`, `losses`, `gradients`) has a module that defines its cases (plain data,
no torch) and how torch answers one case (given the `torch` module, imported only by
`record.py`). `python tests/oracle/record.py` writes `<family>.json` beside them: every case's
input and torch's answer, with the torch version. The tests read those files, so they need no
torch; `record.py --check` recomputes every answer and fails on any difference beyond float
noise.
"""
