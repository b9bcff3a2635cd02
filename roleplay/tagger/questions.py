"""Question detection and typing (DOMAIN.md §4): open, closed, choice, speculative, leading.

A sentence is a question when it carries a question mark or a spoken question form (吗, A-not-A,
a wh-word put to the customer, 请问, "A 还是 B"); a statement ending in 吧/呢 is not one, nor is a
polite imperative. Each question clause gets one type, tried in this order: choice (offers
options), leading (pushes toward agreement), speculative (guesses the customer's reason, worry or
wish), open (invites a free description), closed (yes/no or one short fact, including wh-questions
for a single fact such as 订单号是多少).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from roleplay.acts import QuestionType
from roleplay.tagger.restate import Units, overlap
from roleplay.tagger.text import Piece, clauses, is_chinese

_YOU = r"[您你]"
# -- Chinese: is it a question? --------------------------------------------------------------------
_ZH_PARTICLE_END = re.compile(
    r"(吗|(?<![什怎那这多要])么|[了过]没有?|(能|可以|会|要|是|有|行|好)[\u4e00-\u9fff]{0,6}不)[呀啊哈呢嘛]?$"
)
_ZH_A_NOT_A = re.compile(
    r"是不是|有没有|能不能|可不可以|会不会|要不要|对不对|好不好|行不行|需不需要|方不方便|满不满意|"
    r"喜不喜欢|清不清楚|知不知道|收没收到|在不在|够不够|合不合适|([\u4e00-\u9fff])不\1(?![\u4e00-\u9fff]?[了过])"
)
_ZH_EMBEDDING = re.compile(r"(看看|看一下|查查|查一下|查询|确认一下|核实|问问|问一下|了解一下|不知道|不确定|判断)$")
_ZH_WH = re.compile(r"什么|怎么|怎样|为什么|为何|哪|几|多少|多久|多长|多大|多高|多远|谁|如何|咋")
_ZH_WH_INDEFINITE_BEFORE = re.compile(r"(有|没有?|任何|无论|不管|如果|要是|随便|一些|随时|不论)$")
_ZH_WH_INDEFINITE_AFTER = re.compile(r"^.{0,4}(都|也)")
_ZH_ASK_OPENER = re.compile(
    r"^(亲[，,~]?|您好[，,]?|那|那么|好的[，,]?)?(请问|想问|问一下|想了解一下|冒昧问一下|打扰问一下)"
)
_ZH_SOFT_END = re.compile(r"[呢呀啊哈嘞捏咧]$")
_ZH_CHOICE_SPOKEN = re.compile(rf"{_YOU}.{{0,8}}(要|想|选|是|希望|打算|倾向|喜欢|考虑|需要).{{1,20}}还是")
_ZH_TAG = re.compile(
    r"(您说|你说|您看)?(对吗|是吗|对吧|是吧|对不对|是不是|好吗|行吗|可以吗|好不好|行不行|没错吧|不是吗|"
    r"您说呢|你说呢|您觉得呢|您看呢|怎么样|如何)[呀啊呢哈]?$"
)
_ZH_TAG_SPOKEN = re.compile(r"(对吧|是吧|对不对|没错吧|您说呢|你说呢|您觉得呢|您看呢)[呀啊呢哈]?$")

# -- Chinese: which type? -------------------------------------------------------------------------
_ZH_CHOICE = re.compile(
    r"(?<![您你我他她都也就但可却还])(?<!^)还是(?!(有点|比较|挺|很|会|得|建议|要先|先|那|这))|(?<!^)(或者|或是)|"
    r"[\u4e00-\u9fffA-Za-z0-9]+、[\u4e00-\u9fffA-Za-z0-9]+(、[\u4e00-\u9fffA-Za-z0-9]+)*(还是|或)"
)
_ZH_PICK_ONE = re.compile(r"选(哪|择哪)|哪(一)?(个|种|样|款)(方案|办法|方式|更|比较|好)?[呀啊呢]?$")
_ZH_OPTIONS_GIVEN = re.compile(r"或者|要么|两个(办法|方案|选择)|两种|几种|三种|一是|一种是|方案一|[：:].+[，,、；;].+")
_ZH_EVALUATIVE = re.compile(
    r"划算|实惠|超值|值得|值不值|值|划得来|划不来|优惠|机会|难得|不多了|仅剩|限时|错过|合适|适合|好看|漂亮|显瘦|百搭|有型|"
    r"省心|省事|省钱|省|放心|踏实|安心|舒服|舒坦|靠谱|不错|性价比|最|更|多了|不迟|要紧|重要|健康|方便|快|不用|"
    r"道理|满意|接受|好处|值当"
)
_ZH_LEADING = re.compile(
    r"(您|你)(说|觉得|看)(是不是|是吧|对吧|对不对|值不值|对不|呢)|难道|岂不|不是吗|不(觉得|认为|觉着).{0,20}(吗|么)|"
    r"(这样|那样|这么|那)(是不是|会不会)?.{0,6}(更|多了|省事|省心|方便|踏实|放心|划算)|(是不是|是否).{0,6}多了|"
    r"(是不是|是否)(也|就)?(很|挺|特别|更|非常|超|蛮)(划算|实惠|值|合适|好看|方便|省心|不错|好|适合|放心|安心)|"
    r"(应该|肯定|一定)(也|还|都)?[^，,]{0,12}吧[呀啊]?$|(不|没)(麻烦|难|贵|亏|吃亏|多|远)吧[呀啊]?$|"
    r"也不(会|想|希望|愿意)[^，,]{0,24}吧[呀啊]?$|(您|你)(一定|肯定)(也)?(会|想|希望|喜欢|觉得|认同|同意)"
)
_ZH_GUESS_FORM = re.compile(r"是不是|会不会|是否|该不会|莫非|难不成|(您|你|亲)?是(因为|觉得|想|担心|怕|嫌|顾虑|对)")
_ZH_GUESS_NOT = re.compile(r"是不是(这样|这个意思|这么回事|没错|对|真的)|是否(需要|要|可以|方便|同意|愿意|有)")
_ZH_SPECULATIVE = re.compile(
    r"担心|怕|顾虑|不放心|犹豫|纠结|嫌|介意|在意|拿不准|不太(满意|喜欢|确定|合适|习惯|方便|舒服)|有(点|些)(贵|不满|失望|高)|"
    r"觉得.{0,8}(贵|不值|不合适|麻烦|不好|太|不够|划不来|不公平)|会不会是|是不是(因为|由于)|是因为.{0,12}(吗|吧)|"
    r"是不是.{0,12}(原因|缘故|导致|造成|的问题)|(可能|也许|大概|估计)是|莫非|该不会"
)
_ZH_OPEN_STRONG = re.compile(
    r"说说|讲讲|聊聊|谈谈|描述一下|介绍一下|讲一下|说一下|多说|展开说|详细(说|讲|描述|介绍)|具体(说|讲|介绍|描述)|来龙去脉|"
    r"(发生|遇到)了?(些)?什么|(做|干|用来|用)(些)?什么|怎么(跟|和|对)(您|你)?说|有什么(可以|能|需要)(帮|为)"
)
_ZH_OPEN = re.compile(
    r"怎么(回事|了|样|办|想|看|处理|考虑|使用|用的|操作|发生|弄)|为什么|为何|什么(情况|问题|原因|想法|感觉|需求|要求|"
    r"顾虑|困难|建议|看法|打算|样|地方|方面|感受|场合|风格|用途|期待|期望|体验|效果|不满|担心|考虑|用处|特别|声音)|"
    r"哪些|哪方面|哪几方面|如何|具体(情况|是什么|是怎样|怎么)|经过|有(什么|哪些)(想法|要求|需求|顾虑|不满|意见|建议|需要|困难|"
    r"地方|考虑|打算|期待)|(您|你)(觉得|认为|感觉|看)(怎么样|如何|呢)|平时.{0,8}(什么|怎么|哪)|"
    r"(差别|区别|不同|问题|毛病|原因|不满意|不对劲|不舒服)(主要)?(在|是)?(哪|什么)|哪里(不|有问题|让|出)|最(看重|在意|关心|希望)"
)
# -- English ---------------------------------------------------------------------------------------
_EN_AUX_START = re.compile(
    r"^(so,?\s+|and\s+|but\s+|ok(ay)?,?\s+|well,?\s+|now,?\s+)*(do|does|did|is|are|was|were|can|could|would|will|"
    r"have|has|had|should|shall|may|might|am|isn't|aren't|don't|doesn't|didn't|won't|wouldn't|can't|haven't)\s+"
    r"(you|i|we|it|this|that|there|they|he|she|your|any|anything|the)\b",
    re.IGNORECASE,
)
_EN_WH_START = re.compile(
    r"^(so,?\s+|and\s+|but\s+|ok(ay)?,?\s+|well,?\s+|now,?\s+)*(what|how|why|when|where|which|who|whose)\b",
    re.IGNORECASE,
)
_EN_TELL_ME = re.compile(
    r"^(so,?\s+|and\s+|okay,?\s+|well,?\s+)*(please\s+)?(tell me|describe|walk me through|help me understand|say more|talk (to me\s+)?about)\b",
    re.IGNORECASE,
)
_EN_CHOICE = re.compile(r"\bor\b(?!\s+(not|something|anything|so|whatever|else|otherwise)\b)", re.IGNORECASE)
_EN_LEADING = re.compile(
    r"\b(don't you (think|agree|feel)|wouldn't you (say|agree)|isn't (it|that)|aren't (you|they)|right\?$|"
    r"you('d| would) agree|surely)\b",
    re.IGNORECASE,
)
_EN_SPECULATIVE = re.compile(
    r"\b(are you (worried|concerned|afraid|scared|wondering|thinking)|is it because|could it be|might it be|"
    r"maybe (you|it)|perhaps (you|it)|i (guess|wonder if|suppose)|do you (worry|fear))\b",
    re.IGNORECASE,
)
_EN_CLOSED_WH = re.compile(
    r"^(so,?\s+|and\s+|but\s+|okay,?\s+|well,?\s+)*(when|where|which|who|whose|how (many|much|long|old|often|far|soon)|"
    r"what (time|day|date|year|size|colou?r|model|number|kind of \w+ do you have)|"
    r"what('s| is| was) (your|the) (\w+ )?(name|number|address|email|phone|account|date|time|size|model))\b",
    re.IGNORECASE,
)
_EN_OPEN = re.compile(
    r"^(so,?\s+|and\s+|but\s+|okay,?\s+|well,?\s+)*(what|how|why)\b|\b(tell me|can you (tell|describe|say more|explain|walk)|"
    r"could you (tell|describe|say more|explain|walk)|what else|say more|help me understand)\b",
    re.IGNORECASE,
)


_EN_FILLER = re.compile(
    r"^([-\s]*((so|and|but|yeah|yes|oh|hmm|mm|mm-hmm|okay|ok|right|well|uh|um|now|alright|and-and|so-so)\b[,.!\s-]*))+",
    re.IGNORECASE,
)
_EN_BACKCHANNEL = re.compile(r"(yeah|yes|no|right|okay|ok|really|mm-hmm|hmm|huh|uh-huh|sure)[\s.!]*", re.IGNORECASE)
_EN_INVITE_MORE = re.compile(r"\b(anything else|any (other )?(questions|concerns|thoughts|ideas))\b", re.IGNORECASE)
_EN_OPINION_WH = re.compile(
    r"^(what|which|where|who|how)\b.{0,40}\b(do|would|did) you (think|feel|see|imagine|say)\b", re.IGNORECASE
)


# A question that ends on a wh-word asks in place ("Acting out would be what?"); "..., or?" offers options.
_EN_ASKS_IN_PLACE = re.compile(r"\b(what|who|where|when|why|how|which|or)\W*$", re.IGNORECASE)
# A wh-word with its auxiliary inside the sentence ("and then what's it like?", "in what way have you ...").
_EN_WH_INSIDE = re.compile(
    r"\b(what|how|why|where|which|who)(-\w+)?('s|'re|\s+(\w+\s+)?(do|does|did|is|are|was|were|can|could|would|will|have|has|"
    r"had|should|might)\s+(you|i|we|it|this|that|there|they|he|she|your)\b)",
    re.IGNORECASE,
)
# Asking without a question form: "I'm wondering if ...", "I'm curious ...".
_EN_INDIRECT = re.compile(
    r"\bi('m| am)?( just| kind of)? (wonder|wondering|curious)\b|\bi('d| would) like to know\b", re.I
)
_EN_NOT_ABOUT_CUSTOMER = re.compile(r"^(any|anything|something|somebody|someone|anyone|hi|hello|hey)\b", re.IGNORECASE)
# A tag after a statement asks to confirm it: "..., right?", "..., do you?", "..., you know what I mean?".
_EN_TAG = re.compile(
    r"^(right|yeah|yes|okay|ok|correct|true|no|you know( what i mean)?|is that (right|correct|true|so|it)|"
    r"(is|isn't|was|wasn't|are|aren't|do|don't|does|doesn't|did|didn't|have|haven't|has|hasn't|would|wouldn't|"
    r"can|can't|will|won't)\s+(it|that|you|they|he|she|there|we))$",
    re.IGNORECASE,
)
_EN_STAGE = re.compile(r"\[[^\]]*\]")  # transcribers' notes such as [chuckles]


def check_back(sentence: Piece) -> bool:
    """True for an English statement said with a rising tone: "So you notice it's worse at night?".

    Word order decides, not the question mark: a check-back keeps the order of a statement (no
    auxiliary or wh-word in front of any clause; a tag such as "right?" may follow), so it hands the
    customer's words back for confirmation rather than asking for new information. MI coding counts
    it as a reflection; like a Chinese 对吗 confirmation, it is a restatement and a closed question.
    """
    if is_chinese(sentence.text) or not sentence.asks:
        return False
    core = _EN_FILLER.sub("", _EN_STAGE.sub("", sentence.core).strip(" -"))
    if len(core.split()) < 2 or _EN_ASKS_IN_PLACE.search(core) or _EN_CHOICE.search(core):
        return False
    if _EN_NOT_ABOUT_CUSTOMER.search(core) or _EN_WH_INSIDE.search(core) or _EN_INDIRECT.search(core):
        return False
    parts = [_EN_FILLER.sub("", part) for part in re.split(r"[,;]\s*|\s*(?:--|—)\s*", core) if part.strip()]
    if len(parts) > 1 and _EN_TAG.match(parts[-1].strip(" ?")):
        parts = parts[:-1]
    return not any(_EN_AUX_START.search(p) or _EN_WH_START.search(p) or _EN_TELL_ME.search(p) for p in parts)


# "What you'd like is a repair." names a point in statement order (subject right after the
# wh-word, then is/was): without a question mark it is a statement, not a question.
_EN_PSEUDO_CLEFT = re.compile(
    r"^(what|where|when)\s+(you|i|we|they|he|she)\b[^?]{0,80}?\b(is|was|are|were)\b(?!\s*$)", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class Question:
    """One question found in the utterance."""

    qtype: QuestionType
    span: Piece
    rule: str


def find_questions(sentence: Piece, customer: Units) -> list[Question]:
    """The questions in one sentence, each typed; ``customer`` tells a confirmation from a guess."""
    if is_chinese(sentence.text):
        return _zh_questions(sentence, customer)
    return _en_questions(sentence)


# -- Chinese ---------------------------------------------------------------------------------------


def _zh_questions(sentence: Piece, customer: Units) -> list[Question]:
    parts = clauses(sentence)
    cues = [_zh_question_cue(clause) for clause in parts]
    if not any(cues):
        return []
    # A question runs from a clause with its own cue over the clauses after it; a question mark at
    # the end belongs to the question already open, and a clause before the first cue is context.
    starts = [i for i, cue in enumerate(cues) if cue and (cue != "zh.mark" or not any(cues[:i]))]
    questions: list[Question] = []
    for n, first in enumerate(starts):
        last = (starts[n + 1] if n + 1 < len(starts) else len(parts)) - 1
        span = Piece(
            sentence.text[parts[first].start - sentence.start : _end(parts[last]) - sentence.start], parts[first].start
        )
        before = "，".join(p.text for p in parts[:first])
        qtype, rule = _zh_type(span, before, customer)
        questions.append(Question(qtype, span, f"question.{rule}<{cues[first]}"))
    return questions


def _end(piece: Piece) -> int:
    return piece.start + len(piece.text)


def _zh_question_cue(clause: Piece) -> str | None:
    core = clause.core
    if not core:
        return None
    if _ZH_PARTICLE_END.search(core):
        return "zh.particle"
    if _ZH_TAG_SPOKEN.search(core):
        return "zh.tag"
    if _ZH_ASK_OPENER.search(core):
        return "zh.qingwen"
    if _ZH_CHOICE_SPOKEN.search(core):
        return "zh.choice_spoken"
    for match in _ZH_A_NOT_A.finditer(core):
        head = core[: match.start()]
        if (clause.asks or re.search(_YOU, head) or match.start() <= 2) and not _ZH_EMBEDDING.search(head):
            return "zh.a_not_a"
    for match in _ZH_WH.finditer(core):
        head, tail = core[: match.start()], core[match.end() :]
        asked = clause.asks or core.endswith("呢")
        if not asked and (_ZH_WH_INDEFINITE_BEFORE.search(head) or _ZH_WH_INDEFINITE_AFTER.search(tail)):
            continue
        if _ZH_EMBEDDING.search(head):
            continue
        if clause.asks or _ZH_SOFT_END.search(core) or re.search(_YOU, head):
            return "zh.wh"
    if clause.asks:
        return "zh.mark"
    return None


def _zh_type(span: Piece, before: str, customer: Units) -> tuple[QuestionType, str]:
    text = span.core
    if _ZH_CHOICE.search(text) or (text.startswith("还是") and before):
        return "choice", "choice.zh.options"
    if _ZH_PICK_ONE.search(text) and _ZH_OPTIONS_GIVEN.search(before + text):
        return "choice", "choice.zh.pick_one"
    bare_tag = bool(_ZH_TAG.fullmatch(text)) or (len(text) <= 6 and bool(_ZH_TAG.search(text)))
    content = before if bare_tag and before else text
    echoes = overlap(content, customer) >= 0.5
    if _ZH_LEADING.search(text) or _ZH_LEADING.search(f"{before}，{text}" if before else text):
        return "leading", "leading.zh.agreement"
    if _ZH_TAG.search(text) and not echoes and _ZH_EVALUATIVE.search(content):
        return "leading", "leading.zh.tag_after_claim"
    if not bare_tag and _ZH_OPEN_STRONG.search(text):
        return "open", "open.zh.invite"
    if not echoes and _ZH_GUESS_FORM.search(text) and not _ZH_GUESS_NOT.search(text):
        return "speculative", "speculative.zh.guess_form"
    if not echoes and _ZH_SPECULATIVE.search(content):
        return "speculative", "speculative.zh.guess"
    if not bare_tag and _ZH_OPEN.search(text):
        return "open", "open.zh.describe"
    return "closed", "closed.zh.confirm_or_fact"


# -- English ---------------------------------------------------------------------------------------


def _en_questions(sentence: Piece) -> list[Question]:
    core = _EN_FILLER.sub("", sentence.core)
    if not core or (sentence.asks and _EN_BACKCHANNEL.fullmatch(core)):
        return []
    if _EN_TELL_ME.search(core):
        return [Question("open", sentence, "question.open.en.tell_me")]
    heads = [core, *(_EN_FILLER.sub("", part) for part in re.split(r"[,;]\s*", core)[1:])]
    wh_head = next((h for h in heads if _EN_WH_START.search(h)), None)
    if not (sentence.asks or _EN_AUX_START.search(core) or _EN_WH_START.search(core)):
        return []
    if not sentence.asks and re.search(r"\bwhat (i|we) (hear|mean)|\b(is|was)\s*$", core, re.IGNORECASE):
        return []
    if not sentence.asks and _EN_PSEUDO_CLEFT.search(core):
        return []
    qtype, rule = _en_type(wh_head or core, core)
    return [Question(qtype, sentence, f"question.{rule}")]


def _en_type(head: str, core: str) -> tuple[QuestionType, str]:
    if _EN_CHOICE.search(core) and _EN_AUX_START.search(core):
        return "choice", "choice.en.or"
    if _EN_LEADING.search(core):
        return "leading", "leading.en.agreement"
    if _EN_SPECULATIVE.search(core):
        return "speculative", "speculative.en.guess"
    if _EN_INVITE_MORE.search(core):
        return "open", "open.en.anything_else"
    if _EN_OPINION_WH.search(head):
        return "open", "open.en.opinion"
    if _EN_CLOSED_WH.search(head):
        return "closed", "closed.en.one_fact"
    if _EN_OPEN.search(head):
        return "open", "open.en.wh_or_tell"
    return "closed", "closed.en.yes_no"
