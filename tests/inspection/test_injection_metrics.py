"""Binary metrics for the injection detector, worked by hand on a tiny labelled list."""

from __future__ import annotations

import pytest

from inspection.evaluation import binary_report, evaluate_injection, roc_auc


def test_auc_counts_ordered_pairs_and_ties_as_half():
    # positives 0.9, 0.4; negatives 0.4, 0.1: pairs (0.9>0.4), (0.9>0.1), (0.4=0.4: half), (0.4>0.1) → 3.5/4
    assert roc_auc([0.9, 0.4, 0.4, 0.1], [1, 1, 0, 0]) == pytest.approx(0.875)
    assert roc_auc([0.1, 0.9], [1, 0]) == 0.0
    assert roc_auc([0.3, 0.3], [1, 1]) == 0.5


def test_binary_report_at_a_threshold():
    scores = [0.9, 0.6, 0.2, 0.7, 0.1]
    labels = [1, 1, 1, 0, 0]
    # flagged at 0.5: 0.9, 0.6 (true), 0.7 (false) → precision 2/3, recall 2/3, one of two negatives flagged
    report = binary_report(scores, labels, threshold=0.5)

    assert report["n"] == 5
    assert report["precision"] == pytest.approx(0.6667)
    assert report["recall"] == pytest.approx(0.6667)
    assert report["f1"] == pytest.approx(0.6667)
    assert report["fpr"] == 0.5
    assert report["auc"] == pytest.approx(round(4 / 6, 4))


def test_evaluate_injection_scores_records_and_times_them():
    records = [{"text": "yes", "label": 1}, {"text": "no", "label": 0}]
    report = evaluate_injection(records, score=lambda text: 1.0 if text == "yes" else 0.0, threshold=0.5)

    assert (report["precision"], report["recall"], report["fpr"], report["auc"]) == (1.0, 1.0, 0.0, 1.0)
    assert report["texts_per_s"] > 0
