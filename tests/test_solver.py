"""The sum solver on small hand-built tables: it fills only what the sums force."""
from xxgk.normalize.rules import application_rules, review_rules
from xxgk.normalize.solver import ShortRow, solve

G = "reviews_and_lawsuits.review."
OUT = ("upheld", "corrected", "other", "pending", "total")


def _reviews(**review):
    values = {f: 0 for r in review_rules() for f in r.fields}
    for k in OUT:
        values[G + k] = review.get(k)
    return values


def test_blank_parts_pinned_to_zero_when_total_equals_given_part():
    sol = solve(_reviews(upheld=26, total=26), review_rules())
    assert [sol.values[G + k] for k in OUT] == [26, 0, 0, 0, 26]
    assert sol.inferred == {G + "corrected", G + "other", G + "pending"}


def test_one_blank_is_solved_from_the_total():
    sol = solve(_reviews(upheld=3, corrected=1, other=None, pending=0, total=9), review_rules())
    assert sol.values[G + "other"] == 5
    assert sol.inferred == {G + "other"}


def test_two_blanks_with_positive_remainder_stay_unknown():
    sol = solve(_reviews(upheld=3, corrected=None, other=None, pending=0, total=9), review_rules())
    assert sol.values[G + "corrected"] is None and sol.values[G + "other"] is None
    assert sol.inferred == set()


def test_a_broken_sum_is_never_used_to_infer():
    # total 5 but the given parts already make 7: the rule is broken, the blank stays null.
    sol = solve(_reviews(upheld=4, corrected=3, other=None, pending=0, total=5), review_rules())
    assert sol.values[G + "other"] is None
    assert [r.subject for r in sol.broken] == ["review"]


def test_short_row_placed_only_when_every_fitting_placement_agrees():
    fields = [G + k for k in OUT]
    others = {f: 0 for r in review_rules() for f in r.fields if not f.startswith(G)}
    agreed = solve({**others, **{f: None for f in fields}}, review_rules(), [ShortRow("review", fields, [2, 0, 0, 0])])
    assert [agreed.values[f] for f in fields] == [2, 0, 0, 0, 2]
    assert agreed.placed["review"] == fields[:4]
    ambiguous = solve({**others, **{f: None for f in fields}}, review_rules(), [ShortRow("review", fields, [2, 0, 0, 2])])
    assert [ambiguous.values[f] for f in fields] == [None] * 5
    assert ambiguous.unplaced == ["review"] and ambiguous.ambiguous_placements["review"] == 3


def test_column_sums_decide_where_a_lost_cell_was():
    # Seed 004's shape: 予以公开 lost a cell; the 自然人 column total says the 2 is natural_person.
    rows = ["new_received", "carried_over", "results.disclosed", "results.total", "carried_forward"]
    rules = application_rules(rows, ["results.disclosed"])
    cols = ("natural_person", "commercial_enterprise", "research_institution", "social_welfare_organization",
            "legal_service_agency", "other_organization", "total")
    given = {"new_received": [4, 0, 0, 0, 0, 0, 4], "carried_over": [0] * 7,
             "results.total": [2, 0, 0, 0, 0, 0, 2], "carried_forward": [2, 0, 0, 0, 0, 0, 2]}
    values = {f"applications.{r}.{c}": v for r, vs in given.items() for c, v in zip(cols, vs)}
    fields = [f"applications.results.disclosed.{c}" for c in cols]
    values.update({f: None for f in fields})
    sol = solve(values, rules, [ShortRow("results.disclosed", fields, [2, 0, 0, 0, 0, 2])])
    assert [sol.values[f] for f in fields] == [2, 0, 0, 0, 0, 0, 2]
