"""The published schema names every numeric field id of the contract."""
import re
from pathlib import Path

from xxgk.normalize.schema import report_schema

SPEC = Path(__file__).resolve().parents[2] / "shared" / "spec" / "canonical-report.md"


def _schema_paths(node, prefix=""):
    props = node.get("properties", {})
    out = set()
    for k, v in props.items():
        p = f"{prefix}.{k}" if prefix else k
        out.add(p)
        out |= _schema_paths(v, p)
    return out


def test_every_spec_field_id_is_in_the_schema():
    paths = _schema_paths(report_schema())
    expected = {
        "proactive.regulations.issued", "proactive.regulations.repealed", "proactive.regulations.in_force",
        "proactive.normative_documents.in_force", "proactive.licensing.decisions", "proactive.penalty.decisions",
        "proactive.coercion.decisions", "proactive.fees.amount", "proactive.regulations.made",
        "proactive.regulations.published", "proactive.regulations.total_public", "proactive.other_services.change",
        "proactive.licensing.previous_year", "proactive.fees.previous_year", "proactive.fees.change",
        "proactive.procurement.projects", "proactive.procurement.amount",
        "applications.results.other_handling.total", "applications.results.other.overdue_fee.natural_person",
        "applications.results.withheld.administrative_inquiry.legal_service_agency",
        "applications.carried_forward.social_welfare_organization", "applications.results.total.research_institution",
        "reviews_and_lawsuits.lawsuit_after_review.pending", "reviews_and_lawsuits.review.upheld",
    }
    assert expected <= paths


def test_spec_row_paths_all_present():
    if not SPEC.exists():
        return
    rows = set(re.findall(r"^\| `((?:results\.|new_received|carried_over|carried_forward)[a-z_.]*)`", SPEC.read_text(), re.M))
    assert len(rows) >= 25
    paths = _schema_paths(report_schema())
    assert {f"applications.{r}" for r in rows} <= paths


def test_published_schema_file_is_current():
    import json

    published = Path(__file__).resolve().parent.parent / "schema" / "canonical-report.schema.json"
    assert json.loads(published.read_text(encoding="utf-8")) == report_schema(), \
        "regenerate with: xxgk schema > schema/canonical-report.schema.json"
