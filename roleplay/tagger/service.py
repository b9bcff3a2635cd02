"""Service acts (greeting, apology, solution, information, closing, praise, evidence, blame,
redline, manipulation): phrase patterns, each named, matched anywhere in the utterance.

The patterns are general phrasings of each act in Chinese and English; the built-in red lines live
in ``redlines.yaml`` beside this module and scenarios and rubrics add their own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

from roleplay.acts import Act
from roleplay.datafile import load_yaml
from roleplay.tagger.restate import EN_DIRECTIVE

_I = re.IGNORECASE


@dataclass(frozen=True, slots=True)
class Rule:
    """A named pattern for one act."""

    act: Act
    name: str
    pattern: re.Pattern[str]


def _rule(act: Act, name: str, pattern: str) -> Rule:
    return Rule(act, f"{act}.{name}", re.compile(pattern, _I))


_AGENT = r"(我|我们|我这边|我们这边|这边|小店|本店|客服)?"
_DO_FOR_YOU = r"(帮|给|为|替)(您|你)"

RULES: tuple[Rule, ...] = (
    _rule(
        "greeting",
        "zh.hello",
        r"(您|你)好(?![好看用吃听])|欢迎光临|欢迎(您|你)?(来到|咨询)|很高兴为(您|你)服务|在的[，,~！!]",
    ),
    _rule(
        "greeting",
        "en.hello",
        r"^\s*(hi|hello|hey|good (morning|afternoon|evening))\b|\bwelcome to\b|\bhow can i help\b",
    ),
    _rule(
        "apology",
        "zh.sorry",
        r"抱歉|对不起|不好意思|致歉|给(您|你)(添|带来)(了)?(麻烦|不便)|让(您|你)久等|实在是?过意不去",
    ),
    _rule("apology", "en.sorry", r"\b(sorry|apologi[sz]e|apologies|my bad|forgive (me|us))\b"),
    _rule(
        "solution",
        "zh.do_for_you",
        _AGENT
        + _DO_FOR_YOU
        + r"(办理|处理|退|换|补|申请|安排|登记|联系|催|加急|修改|改|升级|重新|寄|发|预约|上报|报修|反馈|跟进|开|核实后)",
    ),
    _rule(
        "solution",
        "zh.we_will",
        r"(我|我们|这边|马上|立即|立刻|现在就|稍后|今天)(会|就|来|这就|马上|立即)?(安排|退款|换货|补发|重新发|上门|维修|赔偿|补偿|"
        r"退还|返还|寄出|发出|处理好|解决|优先|加急|派)",
    ),
    _rule(
        "solution",
        "zh.can_offer",
        r"可以(给|为|帮)?(您|你)?(办理|申请|安排)?(全额|部分)?(退款|退货|换货|补发|维修|上门|赔偿|补偿|优惠券|保价|延保)",
    ),
    _rule(
        "solution",
        "en.will_do",
        r"\b(i|we)('ll| will| can| am going to|'m going to| could)\s+(arrange|send|refund|replace|process|issue|book|schedule|"
        r"fix|repair|reship|credit|cancel|escalate|upgrade|expedite|sort (it|this) out)\b|\blet me (arrange|process|refund|send|fix|book)\b",
    ),
    Rule("solution", "solution.en.advice", EN_DIRECTIVE),
    _rule(
        "information",
        "zh.policy_product_status",
        r"七天无理由|7天无理由|无理由退|质保|保修|包邮|运费|已(经)?发(出|货)|物流(显示|信息|已|正在)|快递(显示|已|正在)|预计|"
        r"工作日|规定|政策|流程|按照|根据|材质|面料|成分|版型|偏(大|小)|尺码(表|偏|是)|参数|续航|容量|型号|活动价|原价|满减|"
        r"赠品|库存|有货|现货|目前(是|已|在|正)|正在(处理|配送|派送|审核|运输)|审核|到账|原路(退|返)",
    ),
    _rule(
        "information",
        "en.policy_product_status",
        r"\b(policy|warranty|return window|shipping|delivered|in transit|tracking shows|dispatched|in stock|out of stock|"
        r"business days|usually takes|according to|the price is|it comes with|made of)\b",
    ),
    _rule(
        "closing",
        "zh.wrap_up",
        r"还有(什么|其他|别的|啥)(问题|需要|可以|能|要|疑问)|祝(您|你)|欢迎(下次|再次|随时)|感谢(您|你)?(的)?(支持|耐心|理解|光临|来电|惠顾|"
        r"配合|等待|信任|反馈)|谢谢(您|你|亲)?|再见|拜拜|随时(联系|找|咨询|来)|有(任何|什么)?(问题|需要)(随时|可以|请)|生活愉快|愉快",
    ),
    _rule(
        "closing",
        "en.wrap_up",
        r"\b(anything else|have a (nice|good|great)|thank(s| you)|bye|goodbye|feel free to|don't hesitate|take care)\b",
    ),
    _rule(
        "praise",
        "zh.recognition",
        r"(您|你)(真|很|太|好|挺|特别|非常|可)?(有眼光|懂行|专业|细心|内行|识货|有品位|厉害|周到|仔细|会挑|讲究)|眼光(真|很|太|超|特别)?(好|不错|独到)|"
        r"好眼光|真是行家|(您|你)(说|讲|问)得(太|很|真|非常)?(专业|到位)|(您|你)(的)?(建议|反馈|意见|提醒)(很|非常|特别|真)?(宝贵|重要|有价值|中肯|及时)|"
        r"问得(好|很好|很专业)|(您|你)(选|挑)的(这款|这个)?(很|非常|真)?(好|不错|有眼光)",
    ),
    _rule(
        "praise",
        "en.recognition",
        r"\b(great|good|excellent) (question|choice|idea|point|eye|job)\b|\bwell done\b|\bgood for you\b|"
        r"\byou('ve| have) (done|worked|come) (really |so )?(well|hard|a long way)\b|\bthat's (great|impressive|wonderful|fantastic|awesome)\b|"
        r"\bi('m| am) (impressed|proud of you)\b|\byou have a (good|great) eye\b",
    ),
    _rule(
        "evidence",
        "zh.proof_or_commitment",
        r"([0-9]+|[一二两三四五六七八九十半]+)(个)?(小时|天|分钟|工作日|个工作日)(内|之内|以内)|今天(之内|内|下午|晚上|上午)?(之前|前|以内)|"
        r"明天(上午|下午|晚上)?(之前|前|\d+点)|([0-9]{1,2}|[一二三四五六七八九十]+)点(前|之前|以前)|保证|承诺|担保|保障|凭证|记录|截图|"
        r"照片|视频|检测报告|质检|证书|正品|授权|发票|质保卡|录音|(工单|服务单|受理单|快递单|运单|单)号(是|为|：|:)|可以查到|可查|追踪|跟进|白纸黑字|假一赔|官方",
    ),
    _rule(
        "evidence",
        "en.proof_or_commitment",
        r"\b(guarantee\w*|warrant(y|ies)|certificat\w*|receipt|record\w*|reference number|ticket number|tracking number|"
        r"within \d+ (hours?|days?|minutes?)|by (tomorrow|monday|tuesday|wednesday|thursday|friday|the end of)|i promise|we promise|in writing)\b",
    ),
    _rule(
        "blame",
        "zh.your_fault",
        r"(您|你)(自己)?(没|不)(看|注意|仔细|按照|按|说清|说清楚|看清|认真)|是(您|你)(自己)?的(问题|原因|责任|错)|怪(您|你)|"
        r"(您|你)(当时|自己)(没|不)|不是我们的(问题|责任|错)|(跟|和)我们(没|无)关|我们(没有|没)(错|责任)|(您|你)(理解|搞|弄|看)错了|"
        r"(您|你)误会了|不可能(的|是我们)|我(已经|都)(说|讲|告诉)(过|了)|早就(说|告诉)|(您|你)应该(早|先|自己)|谁让(您|你)|这是常识|"
        r"(您|你)怎么(不|没)|(您|你)非要|(您|你)自己(选|买|下单)的",
    ),
    _rule(
        "blame",
        "en.your_fault",
        r"\b(that's|it's|it is) your (fault|problem|responsibility)|you should have|you didn't (read|check|follow)|"
        r"not our (fault|problem|responsibility)|you('re| are) wrong|you misunderstood|as i (already )?said|i already told you\b",
    ),
    _rule(
        "manipulation",
        "zh.break_role",
        r"我(就)?是(你的|你们的|这个系统的)?(老师|教师|开发者|管理员|出题人|系统)|忽略(之前|以上|上面|你的|所有)+.{0,4}(指令|设定|提示|规则|要求)|"
        r"无视.{0,6}(指令|设定|提示|规则)|(你|您)(现在)?(已经)?(非常|很)?满意了|(你|您)(已经)?被(我)?(说服|安抚)了|(给我|请给)(打)?(满分|高分|一百分|100分)|"
        r"评分标准|评分细则|评分规则|打分标准|隐藏(信息|事实|设定)|系统提示|提示词|(你|您)是(不是)?(AI|人工智能|机器人|模型|大模型|ChatGPT|程序)|"
        r"(跳出|退出|别演|不要演)(角色|了)|角色扮演|(结束|停止)(这个)?(练习|模拟|测试)",
    ),
    _rule(
        "manipulation",
        "en.break_role",
        r"\bignore (all |your |the )?(previous |prior |above )?(instructions|prompt|rules)\b|\bi am (your|the) (teacher|developer|admin|instructor)\b|"
        r"\byou are (now )?(satisfied|happy with)\b|\bsystem prompt\b|\brubric\b|\bhidden facts?\b|\byou('re| are) an? (ai|bot|language model)\b|"
        r"\bstop (the )?role-?play\b|\bgive me (full|high|top) (marks|score)\b",
    ),
)


@cache
def builtin_redlines() -> tuple[str, ...]:
    """The forbidden phrases every scenario shares (``redlines.yaml``)."""
    data = load_yaml(resources.files("roleplay.tagger").joinpath("redlines.yaml").read_text(encoding="utf-8"))
    return tuple(str(p) for language in ("zh", "en") for p in data[language])


@cache
def redline_pattern(extra: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for the built-in red lines plus ``extra`` (longest first, so spans are whole)."""
    phrases = sorted({p.strip() for p in (*builtin_redlines(), *extra) if p.strip()}, key=len, reverse=True)
    return re.compile("|".join(re.escape(p) for p in phrases), _I)


@dataclass(frozen=True, slots=True)
class Hit:
    """One service act found: the act, the matching words, where, and the rule."""

    act: Act
    span: str
    start: int
    rule: str


def service_acts(text: str, extra_redlines: Iterable[str] = ()) -> list[Hit]:
    """Every service act in ``text``, one hit per rule (its first match)."""
    hits = []
    for rule in RULES:
        match = rule.pattern.search(text)
        if match and match.group().strip():
            hits.append(Hit(rule.act, match.group(), match.start(), rule.name))
    match = redline_pattern(tuple(extra_redlines)).search(text)
    if match:
        hits.append(Hit("redline", match.group(), match.start(), "redline.phrase"))
    return hits
