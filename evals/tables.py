"""The report as terminal tables: our figures, then the published baselines beside them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from evals.metrics import LATENCY_KEYS

_LABELS = {
    "exact_match": "exact match (RealTimeQA scoring)",
    "f1": "token F1 (RealTimeQA scoring)",
    "answer_accuracy": "accepted-answer match",
    "accuracy": "multiple-choice accuracy",
    "hit@1": "evidence hit@1",
    "hit@5": "evidence hit@5",
    "hit@10": "evidence hit@10",
    "mrr": "evidence MRR@10",
    "citation_validity": "citation validity",
    "citation_support": "citation support",
    "abstention_precision": "abstention precision",
    "abstention_recall": "abstention recall",
    "latency_p50_ms": "latency p50",
    "latency_p95_ms": "latency p95",
    "key_fact_recall": "key-fact recall",
    "timeline_order": "timeline order",
    "item_precision": "item precision",
    "shape_match": "shape answered as asked",
}


def fmt(key: str, value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.0f} ms" if key in LATENCY_KEYS else f"{100 * value:.1f}%"


def report_renderable(report: Mapping[str, Any]) -> Group:
    if report["dataset"].get("kind") == "descriptive":
        return _descriptive_renderable(report)
    parts: list[Any] = [_heading(report), _metrics_table(report)]
    if report.get("baselines"):
        parts.append(_baselines_table(report))
    if report.get("llm"):
        parts.append(_llm_table(report["llm"]))
    for key, title in (("by_type", "By question type"), ("by_source", "By source")):
        if report.get(key) and len(report[key]) > 1:
            parts.append(_breakdown_table(report[key], title, report["mode"]))
    return Group(*parts)


def _llm_table(llm: Mapping[str, Any]) -> Table:
    table = Table(title="LLM mode", title_justify="left", show_edge=False)
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_column("over", style="dim")
    table.add_row("answers by the model", fmt("share", llm["llm_share"]),
                  f"{llm['llm_answers']} of {llm['asked']} questions")
    for reason, count in llm["fallbacks"].items():
        table.add_row(f"fallback: {reason}", str(count), "")
    tokens, seconds = llm["prompt_tokens"], llm["seconds"]
    table.add_row("prompt tokens per request", _number(tokens["mean"]), f"max {_number(tokens['max'])}")
    table.add_row("seconds per question", _number(seconds["mean"]),
                  f"max {_number(seconds['max'])}, {llm['requests']} requests")
    return table


def _number(value: float | None) -> str:
    return "–" if value is None else f"{value:,.1f}"


def _heading(report: Mapping[str, Any]) -> Text:
    counts = report["counts"]
    return _heading_for(report, f"{counts['correct']} of {counts['scored']} correct, "
                                f"{counts['abstained']} abstained")


def _heading_for(report: Mapping[str, Any], outcome: str) -> Text:
    dataset, index = report["dataset"], report["index"]
    asked = f"{dataset['asked']} of {dataset['questions']}" if dataset["asked"] != dataset["questions"] \
        else str(dataset["asked"])
    if index["build_seconds"] is None:
        built = f"archive '{index['namespace']}'"
    else:
        verb = "reused" if index["reused"] else "built"
        built = f"index {index['namespace']} {verb} in {index['build_seconds']:.1f}s"
    if index.get("ready_seconds"):
        built += f", search ready in {index['ready_seconds']:.1f}s"
    return Text.assemble(
        (f"{dataset['name']}", "bold"),
        f" · {asked} questions · mode {report['mode']} · {built} "
        f"({index['articles']:,} articles, {index['chunks']:,} chunks) · {outcome}",
    )


# -- descriptive sets ---------------------------------------------------------------------------


def _descriptive_renderable(report: Mapping[str, Any]) -> Group:
    counts = report["counts"]
    heading = _heading_for(report, f"{counts['covered']} of {counts['key_facts']} key facts shown, "
                                   f"{counts['composed']} composed answers, {counts['abstained']} abstained")
    parts: list[Any] = [heading, _descriptive_table(report)]
    if report.get("llm"):
        parts.append(_llm_table(report["llm"]))
    if report.get("by_shape"):
        parts.append(_shapes_table(report["by_shape"]))
    return Group(*parts)


def _descriptive_table(report: Mapping[str, Any]) -> Table:
    c = report["counts"]
    over = {
        "key_fact_recall": f"{c['key_facts']} key facts", "timeline_order": f"{c['timeline_pairs']} dated pairs",
        "item_precision": f"{c['items']} items shown", "shape_match": f"{c['asked']} questions",
        "citation_validity": f"{c['citations']} citations",
    }
    table = Table(title="newsdesk eval (descriptive)", title_justify="left", show_edge=False)
    table.add_column("metric")
    table.add_column("newsdesk", justify="right")
    table.add_column("over", style="dim")
    for key, value in report["metrics"].items():
        style = "bold red" if key == "citation_validity" and value is not None and value < 1 else ""
        table.add_row(_LABELS.get(key, key), Text(fmt(key, value), style=style),
                      over.get(key, "") if value is not None else "")
    return table


def _shapes_table(groups: Mapping[str, Any]) -> Table:
    table = Table(title="By shape asked", title_justify="left", show_edge=False)
    for name in ("shape", "n", "facts", "recall", "order", "precision", "shape ok", "p50"):
        table.add_column(name, justify="left" if name == "shape" else "right")
    for name, group in groups.items():
        m = group["metrics"]
        table.add_row(name, str(group["n"]), str(group["key_facts"]), fmt("key_fact_recall", m["key_fact_recall"]),
                      fmt("timeline_order", m["timeline_order"]), fmt("item_precision", m["item_precision"]),
                      fmt("shape_match", m["shape_match"]), fmt("latency_p50_ms", m["latency_p50_ms"]))
    return table


def _metrics_table(report: Mapping[str, Any]) -> Table:
    counts = report["counts"]
    over = {
        "exact_match": f"{counts['generation_scored']} answerable", "f1": "",
        "answer_accuracy": f"{counts['scored']} scored", "accuracy": f"{counts['scored']} with choices",
        "hit@1": f"{counts['with_evidence']} with evidence", "hit@5": "", "hit@10": "", "mrr": "",
        "citation_validity": f"{counts['citations']} citations",
        "citation_support": f"{counts['correct']} correct",
        "abstention_precision": f"{counts['abstained']} abstained",
        "abstention_recall": f"{counts['unanswerable']} unanswerable",
    }
    table = Table(title="newsdesk eval", title_justify="left", show_edge=False)
    table.add_column("metric")
    table.add_column("newsdesk", justify="right")
    table.add_column("over", style="dim")
    for key, value in report["metrics"].items():
        style = "bold red" if key == "citation_validity" and value is not None and value < 1 else None
        table.add_row(_LABELS.get(key, key), Text(fmt(key, value), style=style or ""),
                      over.get(key, "") if value is not None else "")
    return table


def _baselines_table(report: Mapping[str, Any]) -> Table:
    metrics, counts = report["metrics"], report["counts"]
    table = Table(title="Published baselines on this kit (all its questions)", title_justify="left",
                  show_edge=False)
    for name in ("setting", "MC accuracy", "MC n", "gen EM", "gen F1", "gen n"):
        table.add_column(name, justify="left" if name == "setting" else "right")
    open_mode = report["mode"] == "open"
    table.add_row(
        Text(f"newsdesk ({report['mode']}, this run)", style="bold"),
        fmt("accuracy", metrics.get("accuracy")), "" if open_mode else str(counts["scored"]),
        fmt("exact_match", metrics.get("exact_match")), fmt("f1", metrics.get("f1")),
        str(counts["generation_scored"]) if open_mode else "", style="bold",
    )
    for name, tasks in sorted(report["baselines"].items()):
        mc = tasks.get("multiple_choice") or {}
        gen = tasks.get("generation") or {}
        table.add_row(
            name, fmt("accuracy", mc.get("accuracy")), str(mc.get("n_questions", "")),
            fmt("exact_match", gen.get("exact_match")), fmt("f1", gen.get("f1")),
            str(gen.get("n_scored", "")),
        )
    return table


def _breakdown_table(groups: Mapping[str, Any], title: str, mode: str) -> Table:
    main = "accuracy" if mode == "choices" else "answer_accuracy"
    table = Table(title=title, title_justify="left", show_edge=False)
    for name in ("group", "n", _LABELS[main], "EM", "F1", "hit@5", "abstention recall"):
        table.add_column(name, justify="left" if name == "group" else "right")
    for name, group in groups.items():
        m = group["metrics"]
        table.add_row(name, str(group["n"]), fmt(main, m[main]), fmt("exact_match", m["exact_match"]),
                      fmt("f1", m["f1"]), fmt("hit@5", m["hit@5"]),
                      fmt("abstention_recall", m["abstention_recall"]))
    return table
