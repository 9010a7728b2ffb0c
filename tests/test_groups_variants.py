"""An answer group is one variant's answer: the same number given to two variants of a problem
that varies is two answers (right for one, perhaps, and wrong for the other)."""

from __future__ import annotations

import hashlib
import json

from nncheck import groups
from nncheck.groups import Answer


def test_one_answer_to_two_variants_is_two_groups():
    answers = [Answer("s1", "q5", "a", "loss", "wrong", 0.5, 3),
               Answer("s2", "q5", "a", "loss", "wrong", 0.5, 7),
               Answer("s3", "q5", "a", "loss", "wrong", 0.5, 3)]
    found = groups.build(answers, [("q5", "a")])
    assert sorted(len(g.students) for g in found) == [1, 2]


def test_a_problem_that_does_not_vary_keeps_the_keys_already_written():
    # groups.yaml files written before variants existed keep matching: the key of a problem
    # with no variant is the SHA-256 of [problem, part, answer as compared], as it was.
    text = json.dumps(["q3", "d", groups.normalise(610)], sort_keys=True, ensure_ascii=False)
    assert groups.answer_key("q3", "d", 610) == hashlib.sha256(text.encode()).hexdigest()[:16]
    assert groups.answer_key("q3", "d", 610, variant=2) != groups.answer_key("q3", "d", 610)
