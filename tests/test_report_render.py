"""The report as Markdown and as a standalone HTML page: content, links, escaping, languages, edge cases."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from roleplay.acts import ACT_NAMES_ZH
from roleplay.grading.render import TEMPLATES_DIR, render_html, render_markdown
from roleplay.grading.report import Evidence
from roleplay.i18n import t
from roleplay.library.common import Text
from tests.browser import BROWSER_ARGS, CHROMIUM, needs_chromium
from tests.report_samples import REPORTS, bare_report, make_report, note


def radar(html: str) -> str:
    found = re.search(r'<svg class="radar".*?</svg>', html, re.S)
    assert found, "no radar chart"
    return found.group(0)


@pytest.mark.parametrize("key", list(REPORTS), ids=list(REPORTS))
def test_every_dimension_and_quote_is_shown(key: str) -> None:
    report = REPORTS[key]()
    html, markdown = render_html(report), render_markdown(report)
    for dim in report.dimensions:
        name = dim.name.get(report.language)
        assert name in html and name in markdown
        quotes = dim.tagger_evidence + (dim.judge.evidence if dim.judge else [])
        for quote in quotes:
            assert quote.quote in html and quote.quote in markdown
            assert f'href="#turn-{quote.turn}"' in html
            assert t("report.turn", report.language, turn=quote.turn) in markdown
    for turn in report.turns:
        assert f'id="turn-{turn.turn}"' in html


@pytest.mark.parametrize("count", [3, 7, 12], ids=lambda n: f"{n}-dimensions")
def test_radar_has_one_labelled_axis_per_dimension(count: int) -> None:
    base = make_report("en")
    dims = [
        base.dimensions[i % 3].model_copy(
            update={"dimension_id": f"d{i}", "name": Text(zh=f"维度{i}", en=f"Dimension {i}")}
        )
        for i in range(count)
    ]
    dims[1] = dims[1].model_copy(update={"level": None})
    chart = radar(render_html(base.model_copy(update={"dimensions": dims})))
    labels = re.findall(r'<text class="axis-label[^"]*"[^>]*>(.*?)</text>', chart)
    assert len(labels) == count
    assert all(f"Dimension {i}<" in labels[i] for i in range(count))
    assert 'class="axis-label na"' in chart and ">n/a<" in labels[1]
    assert chart.count("<line ") == count


def test_page_is_standalone() -> None:
    html = render_html(make_report("zh"))
    assert "http://" not in html and "https://" not in html
    assert "<script" not in html and "<link" not in html and "@import" not in html and "url(" not in html


def test_html_escapes_student_and_model_text() -> None:
    attack = '<script>alert("x")</script>'
    report = make_report("zh")
    turns = [*report.turns[:-1], note(6, "agent", attack, ["solution"])]
    evidence = [Evidence(turn=6, quote=attack)]
    dims = [report.dimensions[0].model_copy(update={"tagger_evidence": evidence}), *report.dimensions[1:]]
    html = render_html(report.model_copy(update={"turns": turns, "dimensions": dims, "flags": [attack]}))
    assert "<script" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert 'title="&lt;scrip"' in html  # the act's span, in the chip's tooltip


def test_english_report_uses_english_labels_and_act_ids() -> None:
    html, markdown = render_html(make_report("en")), render_markdown(make_report("en"))
    for text in (html, markdown):
        for key in ("report.total", "report.dimensions", "report.suggestions", "report.kpis", "report.transcript"):
            assert t(key, "en") in text
        assert "总分" not in text and "各维度" not in text
        assert "question_open" in text and ACT_NAMES_ZH["question_open"] not in text
    assert '<html lang="en">' in html
    assert "unscored: invalid evidence after one retry" in html


def test_chinese_report_uses_chinese_act_names_and_flags() -> None:
    html = render_html(make_report("zh"))
    assert '<span class="chip ask" title="您好，我是客">开放式提问</span>' in html
    assert 'class="turn agent flagged" id="turn-4"' in html and "⚠ 禁语" in html
    assert "未评分：invalid evidence after one retry" in html


def test_missing_values_show_a_dash() -> None:
    report = bare_report()
    html, markdown = render_html(report), render_markdown(report)
    values = re.findall(r'<div class="value">(.*?)</div>', html)
    assert values.count("—") == 5  # every KPI but the message count
    for key in (
        "report.kpi.first_response",
        "report.kpi.average_response",
        "report.kpi.qa_ratio",
        "report.kpi.typing",
        "report.kpi.duration",
    ):
        assert f"| {t(key, 'en')} | — |" in markdown
    assert '<span class="total" id="total">— <small>' in html and "Total score: — / 100" in markdown
    assert t("report.no_total", "en") in html and t("report.no_total", "en") in markdown


def test_bare_report_notes_what_is_missing() -> None:
    html, markdown = render_html(bare_report()), render_markdown(bare_report())
    assert t("report.states_too_few", "en") in html and '<svg class="lines"' not in html
    assert t("report.no_suggestions", "en") in html and t("report.no_suggestions", "en") in markdown
    assert t("report.guess", "en") not in html and t("report.offline", "en") in html
    assert radar(html).count('class="axis-label na"') == 3
    assert "Not applicable: fewer than 3 agent turns" in html


def test_judge_details_disagreement_and_suggestions() -> None:
    report = make_report("zh")
    html, markdown = render_html(report), render_markdown(report)
    assert html.count('<tr class="warn">') == 1  # attitude: tagger 3, judge 1
    assert "第2句先接住了情绪。" in html and "评委各次打分：4, 4, 5" in html
    for tip in ("让您久等了，我马上帮您查。", "这件事我来负责，我先帮您查清楚。"):  # report's and the judge's
        assert tip in html and tip in markdown
    assert "judge unscored: satisfy (tagger levels used)" in html
    assert '<svg class="lines"' in html
    assert "你的判断：analytical，实际：results ✗ 判断有误" in html
    assert "qwen-plus（提示词版本 937fa99cca28）" in markdown


def test_markdown_tables_survive_pipes_and_line_breaks() -> None:
    report = make_report("en")
    turns = [*report.turns[:-1], note(6, "agent", "a | b\nc", [])]
    markdown = render_markdown(report.model_copy(update={"turns": turns}))
    assert "a \\| b c" in markdown
    assert "| Listening for feelings | 10 | 5 | 4 | **4** Good |  |" in markdown


def test_report_texts_exist_in_both_languages_and_are_used() -> None:
    package = TEMPLATES_DIR.parent
    messages = yaml.safe_load((package / "locales" / "messages.yaml").read_text(encoding="utf-8"))
    sources = [package / "grading" / "report_view.py", *(package / "templates").glob("report.*.j2")]
    code = "".join(path.read_text(encoding="utf-8") for path in sources)
    report_keys = [key for key in messages if key.startswith("report.")]
    for key in report_keys:
        assert messages[key].get("zh") and messages[key].get("en"), key
        # keys built from a value (report.role.agent, report.grader.judge) are used through their prefix
        assert key in code or key.rsplit(".", 1)[0] + ".{" in code, f"{key} is never used"


@needs_chromium
@pytest.mark.parametrize("key", ["zh-judge", "en-bare"])
def test_page_in_a_browser_fits_a_phone_and_a_desktop(key: str, tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the dev extra")
    page_file = tmp_path / "report.html"
    report = REPORTS[key]()
    # An order number pasted without spaces must wrap, not widen the page.
    long_line = note(len(report.turns) + 1, "customer", "单号" + "A2031X" * 40, [])
    report = report.model_copy(update={"turns": [*report.turns, long_line], "flags": ["x" * 120]})
    page_file.write_text(render_html(report), encoding="utf-8")
    requests: list[str] = []

    def record(request: Any) -> None:
        requests.append(request.url)

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        try:
            for name, width, height in (("phone", 390, 844), ("desktop", 1280, 800)):
                page = browser.new_page(viewport={"width": width, "height": height})
                page.on("request", record)
                page.goto(page_file.as_uri(), wait_until="load")
                assert page.evaluate("document.documentElement.scrollWidth") <= width + 1, name
                chart = page.locator("svg.radar")
                assert chart.is_visible()
                box = chart.bounding_box()
                assert box is not None and box["width"] > 250 and box["height"] > 150
                assert [url for url in requests if not url.startswith("file:")] == []
                page.screenshot(path=str(tmp_path / f"{key}-{name}.png"), full_page=True)
                page.close()
        finally:
            browser.close()
