"""Document → canonical report dict (contract: shared/spec/canonical-report.md, version 1)."""
from __future__ import annotations

from xxgk.model import NO_OCR, Document, MissingDependency, Refused
from xxgk.normalize.checks import run_checks
from xxgk.normalize.fields import FieldStore, nest
from xxgk.normalize.form import decide_form
from xxgk.normalize.meta import extract_metadata

from xxgk.normalize.prose import (clean_paragraphs, prose_sentences, running_headers, section_text,
                                  split_signature)
from xxgk.normalize.readers import read_applications, read_proactive, read_reviews
from xxgk.normalize.refusal import nothing_read, refusal
from xxgk.normalize.sections import split_sections
from xxgk.normalize.templates import TEMPLATES

SCHEMA_VERSION = "1"
LOW_CONFIDENCE = 0.9


class NotAReport(Refused):
    """The input converted, but it is not one annual report."""


def _not_a_report(doc: Document, reason: str) -> Exception:
    """The refusal, unless the tables may be on pages unread for want of OCR: the installation's fault, not the input's."""
    unread = [w["message"].split()[1] for w in doc.warnings
              if w["kind"] == "image_page" and w["message"].endswith(NO_OCR)]
    if unread and reason.startswith("no report"):  # a notice or a 2018 report says so in its text layer
        pages = f"pages {', '.join(unread)} have" if len(unread) > 1 else f"page {unread[0]} has"
        return MissingDependency(f"{pages} no text layer and OCR is not installed (opencv-python-headless, "
                                 f"tesserocr or tesseract): the input cannot be read ({reason})")
    return NotAReport(reason)


def build_report(doc: Document) -> dict:
    sec = split_sections(doc)
    reason = refusal(doc, sec)  # not a report, pre-2019, several reports
    if reason:
        raise _not_a_report(doc, reason)

    headers = running_headers([p.text for p in doc.paragraphs()])
    sections = {k: clean_paragraphs(sec.prose.get(k, []), headers) for k in ("overview", "problems", "other")}
    last = next((k for k in ("other", "problems") if sections[k]), None)
    signature: list[str] = []
    if last:
        sections[last], signature = split_signature(sections[last])
    meta = extract_metadata(doc, sec.preamble, signature)
    year = meta.year
    form, form_note = decide_form(sec.rows["proactive"], sec.rows["applications"], year)

    store = FieldStore()
    if form_note:
        store.warn("template", "template_guessed", form_note)
    for kind in ("proactive", "applications", "reviews"):
        if not sec.rows[kind]:
            store.warn(None, "missing_table", f"table {dict(proactive='二', applications='三', reviews='四')[kind]} not found")
    read_proactive(sec.rows["proactive"], TEMPLATES[form], store, [p.text for p in sec.prose.get("overview", [])])
    rules = read_applications(sec.rows["applications"], TEMPLATES[form], store)
    rules += read_reviews(sec.rows["reviews"], store)
    reason = nothing_read(year, sec, store.values)
    if reason:
        raise _not_a_report(doc, reason)
    checks = run_checks(store.values, rules)
    _flag_ocr(store, checks)

    src = doc.source
    return {
        "schema_version": SCHEMA_VERSION,
        "template": form,
        "agency": meta.agency,
        "agency_normalized": meta.agency_normalized,
        "agency_region_code": meta.agency_region_code,
        "year": year,
        "title": meta.title,
        "published": meta.published,
        "source": {"path": src.path, "url": src.url, "format": src.format, "sha256": src.sha256,
                   "pages": src.pages, "ocr": src.ocr,
                   "ocr_engine": src.ocr_engine if src.ocr else None},
        "text": {**{k: section_text(v) for k, v in sections.items()},
                 "reviews": section_text(prose_sentences(sec.prose.get("reviews", []), headers))},
        "outline": [section for section, _ in sec.headings],  # the section headings in document order (the audit checks it)
        "proactive": nest(store.values, "proactive"),
        "applications": nest(store.values, "applications"),
        "reviews_and_lawsuits": nest(store.values, "reviews_and_lawsuits"),
        "checks": checks,
        "warnings": list(doc.warnings) + meta.warnings + store.warnings,
        "provenance": {**meta.provenance, **store.provenance},
    }


def _flag_ocr(store: FieldStore, checks: list[dict]) -> None:
    """OCR'd numbers that are unsure or that break a sum are named in warnings."""
    for path, prov in store.provenance.items():
        if prov.get("method") == "ocr" and prov.get("confidence") is not None and prov["confidence"] < LOW_CONFIDENCE:
            store.warn(path, "low_confidence", f"OCR confidence {prov['confidence']:.2f}", prov.get("raw"))
    for check in checks:
        if check["passed"]:
            continue
        for f in check["fields"]:
            if store.provenance.get(f, {}).get("method") == "ocr":
                store.warn(f, "ocr_check_failed", f"OCR'd number in a failed check: {check['message']}",
                           store.provenance[f].get("raw"))
