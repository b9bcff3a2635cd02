"""Screenshots of every page of the web app, at desktop and phone width, for the README.

Run from a checkout (with the dev extra installed and Debian's chromium on the PATH)::

    python docs/screenshots/make_screenshots.py

It builds the app in offline mode on a copy of the shipped library and a fresh data folder in a
temporary directory, seeds a class the way the app is used (a teacher sets an assignment; six
students practise over three weeks with scripted lines, guess the customer's type and are graded),
then drives the real pages in the system chromium and writes the PNGs next to this file. Nothing
outside the temporary directory and this folder is touched; no browser is downloaded. Not a test:
it checks only what it needs to take a meaningful picture.

Emoji in the app (the banner, ✅ and ⚠️ in messages) need an emoji font, as every phone and school PC has;
on a bare Debian machine install ``fonts-noto-color-emoji`` first, or they show as boxes.
"""

from __future__ import annotations

import asyncio
import io
import os
import random
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

# Before gradio is imported: no analytics or hub calls at launch.
for _name, _value in (("GRADIO_ANALYTICS_ENABLED", "False"), ("HF_HUB_OFFLINE", "1"), ("DO_NOT_TRACK", "1")):
    os.environ.setdefault(_name, _value)

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))  # this checkout's package and its test helpers

from pydantic import SecretStr  # noqa: E402

from roleplay.assignment import AssignmentForm, draw_persona  # noqa: E402
from roleplay.customer.engine import ChatSession  # noqa: E402
from roleplay.grading.grade import grade_transcript  # noqa: E402
from roleplay.library import Library  # noqa: E402
from roleplay.llm import model_label  # noqa: E402
from roleplay.settings import Settings  # noqa: E402
from roleplay.transcript import Student, Turn, TypeGuess  # noqa: E402
from roleplay.ui.app import build_app, launch  # noqa: E402
from roleplay.ui.assignments import create_assignment, pool_choice  # noqa: E402
from roleplay.ui.history import keep_report  # noqa: E402
from roleplay.ui.practice_model import PracticeContext, practice_context  # noqa: E402
from tests.browser import BROWSER_ARGS, CHROMIUM, free_port  # noqa: E402
from tests.students import good, poor  # noqa: E402

PASSWORD = "screenshots-only"
CLASS = "电商2301"
TEACHER = "陈老师"
DEVICES = {"desktop": (1280, 800), "phone": (390, 844)}
# A full page taller than this is cut (the rest of a long report adds megabytes, not information).
MAX_HEIGHT = {"desktop": 3200, "phone": 5200}
TIMEOUT = 30_000  # ms; plotly.js loads lazily the first time a chart is shown

STUDENTS = [
    ("张三", "2023010512"),
    ("李四", "2023010513"),
    ("王芳", "2023010514"),
    ("刘洋", "2023010515"),
    ("陈静", "2023010516"),
    ("赵磊", "2023010517"),
]
# Who the browser signs in as on each device (both have a history and one assignment still to do).
SIGNED_IN = {"desktop": STUDENTS[0], "phone": STUDENTS[1]}

HOMEWORK = "售后投诉：每种表现类型"
HOMEWORK_NOTE = "先安抚情绪，再确认事实；结束前约定回复时间。"
SECOND = "快递延误：安抚与确认"
SECOND_NOTE = "顾客周六前一定要收到，先问清楚用途再给方案。"
THIRD = "售前咨询：犹豫的顾客"

CHAT_LINES = [
    "您好，我是客服小林，很抱歉让您久等了。快递现在卡在哪里了，能跟我说说吗？",
    "您是说周六之前一定要收到，是要送人的礼物，对吗？",
    "我理解您的着急。我马上帮您联系中转站，今天下午5点前给您回复，您看可以吗？",
]
TRIAL_LINES = [
    "您好，我是客服小李，非常抱歉师傅没有按约上门，请问空调现在是什么情况？",
    "您是说空调一直不制冷，而且师傅也没来，对吗？",
]


def mixed(turns: Sequence[Turn]) -> str:
    """A student halfway there: good lines and curt ones in turn."""
    step = sum(1 for t in turns if t.role == "agent")
    return good(turns) if step % 2 == 0 else poor(turns)


Script = Callable[[Sequence[Turn]], str]


@dataclass(frozen=True)
class Practice:
    """One seeded session: who, when, with which customer, and how well."""

    student: tuple[str, str]
    days_ago: float
    script: Script
    scenario: str = ""
    persona: str = ""
    right_guess: bool = True
    assignment_id: str | None = None


# Three weeks of a class: the early sessions curt, later ones better; two students still learning.
PLAN = [
    Practice(STUDENTS[0], 20, poor, "delayed_shipment", "sun_li", right_guess=False),
    Practice(STUDENTS[0], 13, mixed, "phone_repair", "zhao_kai"),
    Practice(STUDENTS[1], 19, poor, "canteen_complaint", "chen_xiaoyu", right_guess=False),
    Practice(STUDENTS[1], 12, good, "presale_hesitant_buyer", "li_meiling"),
    Practice(STUDENTS[2], 18, mixed, "aircon_after_sales", "wang_jianguo"),
    Practice(STUDENTS[2], 11, good, "campus_bathhouse", "he_ming"),
    Practice(STUDENTS[3], 17, poor, "parcel_refund_dispute", "lin_tong", right_guess=False),
    Practice(STUDENTS[3], 10, poor, "wansheng_online_shop", "liu_fang"),
    Practice(STUDENTS[4], 16, good, "phone_repair", "zhou_hao"),
    Practice(STUDENTS[5], 15, mixed, "delayed_shipment", "zhao_kai", right_guess=False),
]
# The assignment, done a week ago (the pool gives each student a customer of another behaviour type).
HOMEWORK_PLAN = [
    Practice(STUDENTS[0], 6, good),
    Practice(STUDENTS[1], 6, mixed),
    Practice(STUDENTS[2], 5, good),
    Practice(STUDENTS[3], 5, mixed, right_guess=False),
    Practice(STUDENTS[4], 4, good),
    Practice(STUDENTS[5], 4, poor, right_guess=False),
]


def main() -> None:
    """Seed a class, serve the app, and take every screenshot at both widths."""
    if CHROMIUM is None:
        sys.exit("no system chromium found (apt-get install chromium); browsers are never downloaded")
    started = datetime.now()
    with tempfile.TemporaryDirectory(prefix="roleplay-shots-") as temporary:
        work = Path(temporary)
        library_dir = work / "library"
        for folder in ("personas", "rubrics"):
            shutil.copytree(ROOT / folder, library_dir / folder)
        settings = Settings(
            library_dir=library_dir,
            data_dir=work / "data",
            offline=True,
            language="zh",
            host="127.0.0.1",
            port=free_port(),
            teacher_password=SecretStr(PASSWORD),
        )
        context = practice_context(settings, Library.load(library_dir))
        asyncio.run(seed(context))
        uploads = write_uploads(work / "uploads")
        print(f"seeded {len(PLAN) + len(HOMEWORK_PLAN)} graded sessions in {datetime.now() - started}")
        demo = build_app(settings, replace(context))
        launch(demo, settings, prevent_thread_lock=True)
        try:
            shoot(f"http://127.0.0.1:{settings.port}/", uploads)
        finally:
            demo.close()
    total = sum(p.stat().st_size for p in OUT.glob("*.png"))
    print(f"done in {datetime.now() - started}: {len(list(OUT.glob('*.png')))} PNGs, {total / 1e6:.1f} MB")


# --- seeding: the class's past work ----------------------------------------------------------------


async def seed(context: PracticeContext) -> None:
    """A teacher's assignment and the graded sessions of six students over three weeks."""
    library = context.library
    now = datetime.now()
    form = AssignmentForm(
        title=HOMEWORK,
        scenario="aircon_after_sales",
        rubric="default",
        personas=pool_choice(library, "every_behaviour", None, None, "results", "normal"),
        class_code=CLASS,
        time_limit=30,
        note=HOMEWORK_NOTE,
    )
    made = await create_assignment(context, form, now=now - timedelta(days=8))
    assert made.created, made.message
    (homework,) = context.assignments.all()
    plan = list(PLAN)
    for item in HOMEWORK_PLAN:
        spec = draw_persona(homework.assignment_id, homework.personas, item.student[1])
        plan.append(replace(item, scenario=homework.scenario, persona=spec, assignment_id=homework.assignment_id))
    rng = random.Random(2026)
    for item in sorted(plan, key=lambda p: -p.days_ago):  # in the order they happened, as the class worked
        await practise(context, item, rng)


async def practise(context: PracticeContext, item: Practice, rng: random.Random) -> None:
    """One session in the past, through the engine the practice tab uses, guessed, graded and kept."""
    library = context.library
    rubric = library.rubrics["default"]
    persona = library.persona(item.persona)
    name, number = item.student
    clock = datetime.now() - timedelta(days=item.days_ago, hours=rng.randint(0, 5), minutes=rng.randint(0, 59))
    session = await ChatSession.start(
        persona=persona,
        scenario=library.scenarios[item.scenario],
        store=context.store,
        model=None,
        model_name=model_label(context.settings, "customer"),
        language=context.language,
        rubric=rubric.rubric_id,
        student=Student(name=name, student_id=number, class_name=CLASS),
        extra_redlines=list(rubric.redlines),
        now=clock,
        assignment_id=item.assignment_id,
        seed=rng.randint(1, 10_000),
    )
    for _ in range(8):
        if session.closed:
            break
        clock += timedelta(seconds=rng.randint(12, 75))  # the student reads and types
        async for _event in session.send(item.script(session.turns), now=clock):
            pass
    behaviour, style = persona.trait_id("behaviour"), persona.trait_id("style")
    if not item.right_guess:
        behaviour = "doubtful" if behaviour != "doubtful" else "silent"
    transcript = await session.end(TypeGuess(behaviour=behaviour or "angry", style=style or "results"), now=clock)
    report = await grade_transcript(transcript, rubric, library=library, judge=context.judge)
    assert await keep_report(context, session.session_id, report), "the report was not saved"


def write_uploads(folder: Path) -> dict[str, list[Path]]:
    """Transcripts a teacher brings from elsewhere: two text chats and a CSV, a note that is no transcript, a zip."""
    folder.mkdir(parents=True)
    first = folder / "周敏-快递延误.txt"
    first.write_text(
        "# student: 周敏\n# student_id: 2023020101\n# scenario: delayed_shipment\n"
        "[2026-05-06 09:00:05] 顾客: 我的快递三天没动了，周六就要用，你们到底管不管？\n"
        "[2026-05-06 09:00:40] 客服: 您好，非常抱歉让您着急了。您是说快递三天没有更新，周六之前要用，对吗？\n"
        "[2026-05-06 09:01:10] 顾客: 对，是给我妈的生日礼物。\n"
        "[2026-05-06 09:01:45] 客服: 明白了，这份礼物很重要。我马上联系中转站，今天下午5点前给您回复，可以吗？\n"
        "[2026-05-06 09:02:20] 顾客: 那好吧，你们尽快。\n"
        "[2026-05-06 09:02:50] 客服: 好的，请问还有其他需要帮忙的吗？感谢您的耐心。\n",
        encoding="utf-8",
    )
    second = folder / "吴强-修手机.txt"
    second.write_text(
        "# student: 吴强\n# student_id: 2023020102\n# scenario: phone_repair\n"
        "顾客: 说好一小时修好，现在变成一星期？\n"
        "客服: 这是规定，我也没办法。\n"
        "顾客: 什么规定？你们当初可没这么说！\n"
        "客服: 你先冷静一下。\n",
        encoding="utf-8",
    )
    third = folder / "郑丽-食堂.csv"
    third.write_text(
        "角色,内容,学生,学号\n"
        "顾客,饭卡被多扣了二十块钱，怎么回事？,郑丽,2023020103\n"
        "客服,同学你好，很抱歉给你带来麻烦。能说说是哪天、在哪个窗口扣的吗？,郑丽,2023020103\n"
        "顾客,昨天中午二号窗口，就买了一份饭。,郑丽,2023020103\n"
        "客服,你是说昨天中午在二号窗口只买了一份饭，却扣了两次，对吗？我马上帮你查消费记录。,郑丽,2023020103\n",
        encoding="utf-8-sig",
    )
    note = folder / "课堂笔记.txt"
    note.write_text("下周一交实训报告，记得带学生证。\n", encoding="utf-8")
    bundle = folder / "二班-实训记录.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        for path in (first, third):
            archive.write(path, f"二班/{path.name}")
    return {"desktop": [first, second, third, note], "phone": [bundle]}


# --- the browser -------------------------------------------------------------------------------------


def shoot(url: str, uploads: dict[str, list[Path]]) -> None:
    """Teacher pages first (the teacher's new assignment then shows to the students), then the students'."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT)  # two shared cores: the first chart or render can take a while
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        try:
            for device, (width, height) in DEVICES.items():
                page = browser.new_page(viewport={"width": width, "height": height})
                page.set_default_timeout(TIMEOUT)
                teacher_pages(page, url, device, uploads[device])
                page.close()
            for device, (width, height) in DEVICES.items():
                page = browser.new_page(viewport={"width": width, "height": height})
                page.set_default_timeout(TIMEOUT)
                student_pages(page, url, device)
                page.close()
        finally:
            browser.close()


def save(page: Any, name: str, device: str, *, full: bool = True, span: tuple[float, float] | None = None) -> None:
    """Write ``<name>-<device>.png``: a full page (or the ``span`` of it, in page pixels) cut at a sane height,
    reduced to a palette when Pillow is there."""
    page.wait_for_timeout(400)  # let transitions and the last streamed chunk settle before the picture
    data: bytes = page.screenshot(full_page=full, animations="disabled")
    path = OUT / f"{name}-{device}.png"
    try:
        from PIL import Image
    except ImportError:
        path.write_bytes(data)
        return
    with Image.open(io.BytesIO(data)) as image:
        shot = image.convert("RGB")
    if span is not None:
        shot = shot.crop((0, max(0, int(span[0])), shot.width, min(shot.height, int(span[1]))))
    limit = MAX_HEIGHT[device]
    if shot.height > limit:
        shot = shot.crop((0, 0, shot.width, limit))
    shot.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(path, optimize=True)
    print(f"  {path.name}: {shot.width}x{shot.height}, {path.stat().st_size // 1024} KB")


def choose(page: Any, field: str, option: str, *, exact: bool = False) -> None:
    """Pick ``option`` in the Gradio dropdown with ``field`` as its element id."""
    page.locator(f"{field} input").click()
    page.get_by_role("option", name=option, exact=exact).first.click()


def teacher_pages(page: Any, url: str, device: str, uploads: list[Path]) -> None:
    from playwright.sync_api import expect

    page.goto(url, wait_until="domcontentloaded")
    page.locator("#tab-library-button").click()
    page.get_by_label("教师密码").fill(PASSWORD)
    page.get_by_label("教师密码").press("Enter")
    expect(page.locator("#tab-library-browse-button")).to_be_visible()
    save(page, "teacher-library", device)

    # The editor: a trial chat with its state trace, then a mistake the check locates.
    page.locator("#tab-library-edit-button").click()
    choose(page, "#ed-file", "王建国 · wang_jianguo")
    page.locator("#ed-open").click()
    check = page.locator("#ed-check")
    expect(check).to_contain_text("没有问题")
    page.locator("#ed-author input").fill(TEACHER)
    page.get_by_text("试聊", exact=True).click()
    page.locator("#ed-try-start").click()
    bot = page.locator('#ed-try-chat [data-testid="bot"]')
    expect(bot).to_have_count(1)
    for n, line in enumerate(TRIAL_LINES, start=2):
        page.locator("#ed-try-input textarea").fill(line)
        page.locator("#ed-try-input textarea").press("Enter")
        expect(bot).to_have_count(n)
        expect(page.locator("#ed-trace")).to_contain_text(line[:12])  # the reply is complete: send the next
    expect(page.locator("#ed-trace")).to_contain_text("信任")
    page.locator("#ed-code .cm-line", has_text="age: 48").click()
    page.keyboard.press("End")
    page.keyboard.type("0")  # age: 480, beyond the allowed 95
    expect(check).to_contain_text("第 5 行")
    page.locator("#ed-code").scroll_into_view_if_needed()
    save(page, "teacher-editor", device)

    # Assignments: the form filled in, the table of the class's assignments.
    page.locator("#tab-assignments-button").click()
    expect(page.locator("#as-table")).to_contain_text(HOMEWORK)
    if device == "desktop":
        title, scenario, persona, limit, note = SECOND, "快递卡在中转站", "孙丽 · sun_li", "20", SECOND_NOTE
    else:
        title, scenario, persona, limit, note = THIRD, "护肤套装", "李美玲 · li_meiling", "", ""
    page.locator("#as-title input").fill(title)
    choose(page, "#as-scenario", scenario)
    choose(page, "#as-persona", persona)
    page.locator("#as-class input").fill(CLASS)
    if limit:
        page.locator("#as-limit input").fill(limit)
    if note:
        page.get_by_label("给学生的说明").fill(note)
    if device == "phone":  # opens next week: listed as not started, and no student sees it yet
        page.locator("#as-opens input").fill(f"{datetime.now() + timedelta(days=7):%Y-%m-%d} 08:00")
    page.locator("#as-create").click()
    expect(page.locator("#as-form-message")).to_contain_text(f"已创建作业 “{title}”")
    expect(page.locator("#as-table")).to_contain_text(title)
    if device == "phone":
        expect(page.locator("#as-table")).to_contain_text("未开始")
    save(page, "teacher-assignments", device)

    # Review: filter, open a report, change a score with a comment, see the log.
    page.locator("#tab-review-button").click()
    expect(page.locator("#rv-message")).to_contain_text("条记录")
    save(page, "teacher-review-table", device)
    student = STUDENTS[2][0] if device == "desktop" else STUDENTS[3][0]
    choose(page, "#rv-pick", student)
    expect(page.frame_locator("#rv-report iframe").locator("body")).to_contain_text(student)
    choose(page, "#rv-dimension", "服务态度")
    choose(page, "#rv-level", "4", exact=True)
    page.locator("#rv-teacher input").fill(TEACHER)
    page.locator("#rv-comment textarea").fill("开场道歉很真诚，语气一直礼貌；比标注器给的更好。")
    page.locator("#rv-save").click()
    expect(page.locator("#rv-log")).to_contain_text(TEACHER)
    save(page, "teacher-review", device)
    page.locator("#rv-log").evaluate("e => e.scrollIntoView({block: 'end'})")
    save(page, "teacher-review-override", device, full=False)

    # Dashboard, export, upload.
    page.get_by_role("tab", name="看板").click()
    page.locator("#rv-dashboard-refresh").click()
    for n in range(3):
        expect(page.locator(f"#rv-chart-{n} .js-plotly-plot")).to_be_visible()
    save(page, "teacher-dashboard", device)
    page.get_by_role("tab", name="导出").click()
    page.locator("#rv-export-make").click()
    expect(page.locator("#rv-export-message")).to_contain_text("已导出")
    save(page, "teacher-export", device)
    page.get_by_role("tab", name="上传评分").click()
    page.locator("#rv-upload-files input[type=file]").set_input_files([str(p) for p in uploads])
    page.locator("#rv-upload-start").click()
    expect(page.locator("#rv-upload-table")).to_be_visible()
    save(page, "teacher-upload", device)


def student_pages(page: Any, url: str, device: str) -> None:
    from playwright.sync_api import expect

    name, number = SIGNED_IN[device]
    page.goto(url, wait_until="domcontentloaded")
    expect(page.locator("#mode-banner")).to_contain_text("离线模式")
    page.locator("#rp-name input").fill(name)
    page.locator("#rp-number input").fill(number)
    page.locator("#rp-class input").fill(CLASS)
    save(page, "student-signin", device)

    page.locator("#rp-signin").click()
    expect(page.locator("#rp-assignment-list")).to_contain_text(SECOND)
    page.get_by_text("我的练习记录").click()
    expect(page.locator("#rp-history-chart .js-plotly-plot")).to_be_visible()
    save(page, "student-choose", device)

    page.locator("#rp-assignment").get_by_text(SECOND).click()
    page.locator("#rp-assign-start").click()
    bot = page.locator('#rp-chatbot [data-testid="bot"]')
    expect(bot).to_have_count(1)
    for n, line in enumerate(CHAT_LINES, start=2):
        page.locator("#rp-chat-input textarea").fill(line)
        page.locator("#rp-chat-input textarea").press("Enter")
        expect(bot).to_have_count(n)
        # The timer is blank while the reply streams and starts again when it is complete: then send the next.
        expect(page.locator("#rp-timer")).to_contain_text("顾客已等待")
        expect(bot.nth(n - 1)).not_to_be_empty()
    page.wait_for_timeout(3000)  # the response timer counts a few seconds, as it would in class
    save(page, "student-chat", device)

    page.locator("#rp-end").click()
    for label, option in (("表现类型", "气愤型"), ("沟通风格", "表现型")):
        page.get_by_label(label).click()
        page.get_by_role("option", name=option, exact=True).click()
    page.locator("#rp-guess").click()
    expect(page.locator("#rp-summary")).to_contain_text("总分")
    report = page.frame_locator("#rp-report iframe")
    expect(report.locator("body")).to_contain_text(name)
    save(page, "student-report", device)
    # Further down the same report: KPIs, the customer's emotion and trust, the guess, the annotated transcript.
    top = page_y(page, report.locator("section.kpi-section"))
    save(page, "student-report-details", device, span=(top - 16, top + MAX_HEIGHT[device]))


def page_y(page: Any, locator: Any) -> float:
    """Where ``locator`` starts, in pixels from the top of the whole page (frames included)."""
    box = locator.bounding_box()
    assert box is not None, "not on the page"
    return float(box["y"]) + float(page.evaluate("window.scrollY"))


if __name__ == "__main__":
    main()
