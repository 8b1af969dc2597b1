"""Markdown summaries of model cards (docs/models.md is generated from them)."""

from __future__ import annotations


def _fmt(v: float) -> str:
    return f"{v:.4f}" if v < 10 else f"{v:.3g}"


def models_markdown(cards: list[dict]) -> str:
    """A Markdown page with each card's grid, recipe, held-out metrics and calibration."""
    lines = [
        "# Shipped models",
        "",
        "Generated from the model cards by `ac-learned models --markdown docs/models.md`; every number",
        "below was measured by the training script on the card's held-out test set (RSE and Err of the",
        "normalised output, what `solve` returns; the χ² calibration on half of it, false-alarm rate on",
        "the other half).",
        "",
    ]
    for c in cards:
        g, tr = c["grid"], c["training"]
        lines += [
            f"## {c['name']}",
            "",
            c.get("description", ""),
            "",
            f"- architecture: {c['arch']['type']}, depth {c['arch'].get('depth')}, "
            f"threshold {c['arch'].get('threshold')}, init {c['arch'].get('init', 'lecun')}, "
            f"{c.get('n_parameters', '?')} parameters",
            f"- grid: V = βΩ_max = {g['v_max']:g}; x: {g['n_x']} points ({g['x_kind']}); "
            f"ν: {g['n_nu']} points ({g['nu_kind']})",
            f"- prior: {', '.join(f'{k} {v:g}' for k, v in c['prior'].items())}",
            f"- noise: {c['noise']}",
            f"- data: {c['data']['n_train']} train / {c['data']['n_test']} test spectra, seed {c['data']['seed']}",
            f"- recipe: Adam lr {tr['lr']}, decay {tr['decay_rate']} every {tr['decay_every']} epochs, "
            f"{tr['epochs']} epochs, batch {tr['batch_size']}, l2 {tr['weight_decay']}, schedule {tr['schedule']}, "
            f"seed {tr['seed']}; {tr.get('seconds', '?')} s on {tr.get('device', '?')}",
            f"- code {c.get('code_version')} at commit {c.get('git_commit')}; sha256 `{c['sha256'][:16]}…`",
            "",
            "| σ (relative) | mean RSE | median RSE | mean Err | median Err |",
            "|---|---|---|---|---|",
        ]
        for m in c["metrics"]["per_sigma"]:
            lines.append(f"| {m['sigma']:g} | {m['rse_mean']:.4f} | {m['rse_median']:.4f} | {m['err_mean']:.4f} "
                         f"| {m['err_median']:.4f} |")
        rel = c.get("reliability", {})
        if rel:
            lines += ["", f"Reliability calibration ({rel['quantile']:.0%} quantile of χ²/N):", "",
                      "| σ | threshold | median χ²/N | false alarms (held out) |", "|---|---|---|---|"]
            for s, t, med, far in zip(rel["sigma"], rel["chi2_threshold"], rel["chi2_median"],
                                      rel["false_alarm_rate_heldout"]):
                lines.append(f"| {s:g} | {_fmt(t)} | {_fmt(med)} | {far:.3f} |")
        lines.append("")
    return "\n".join(lines) + "\n"
