"""Restatement (DOMAIN.md §5): of facts the customer gave, and of the customer's feelings or view.

``restate_fact`` needs evidence in the context: the sentence must share content (numbers, words,
Chinese character pairs) with what the customer actually said, and be framed as a restatement (a
confirming frame such as 跟您确认一下 / 您是说 / so you..., or a sentence about the customer made
mostly of the customer's own content). ``restate_feeling`` needs a feeling or view named and
acknowledged (我理解您很着急 / 换谁都会生气 / 您说得有道理); a bare apology is not one, nor is a
guess put as a question (您是不是担心...).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise

from roleplay.tagger.text import Piece, clauses

_STOP_CHARS = frozenset(
    "您你我他她它们这那边亲帮给请一下个些的了吗呢吧啊呀哦哈嗯是在有和与及很太还就也都要会能可以把被让对于为说"
    "呃噢喔哎唉嘛啦哇么就好吗"
)
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_NUMBER = re.compile(r"\d+(?:[.:：/-]\d+)*")
_WORD = re.compile(r"[A-Za-z][A-Za-z']{3,}")
_EN_STOP = frozenset(
    [
        "that",
        "this",
        "with",
        "have",
        "just",
        "what",
        "when",
        "your",
        "they",
        "them",
        "then",
        "there",
        "their",
        "about",
        "would",
        "could",
        "should",
        "really",
        "know",
        "think",
        "okay",
        "yeah",
        "well",
        "like",
        "going",
        "want",
        "said",
        "saying",
        "because",
        "been",
        "were",
        "some",
        "more",
        "much",
        "very",
        "also",
        "into",
        "from",
        "things",
        "thing",
        "right",
        "mean",
        "kind",
        "sort",
        "little",
        "lot",
        "lots",
        "maybe",
        "sure",
        "feel",
        "feeling",
    ]
)


@dataclass(frozen=True, slots=True)
class Units:
    """The content of a text: Chinese character pairs, numbers and English word stems."""

    pairs: frozenset[str]
    numbers: frozenset[str]
    words: frozenset[str]
    chars: frozenset[str]


def units(text: str) -> Units:
    """Content units of ``text``, ignoring function characters and common words."""
    pairs = set()
    chars = {ch for ch in text if "\u4e00" <= ch <= "\u9fff" and ch not in _STOP_CHARS}
    for run in _CJK_RUN.findall(text):
        for a, b in pairwise(run):
            if a not in _STOP_CHARS and b not in _STOP_CHARS:
                pairs.add(a + b)
    numbers = {n for n in _NUMBER.findall(text)}
    words = {_stem(w) for w in _WORD.findall(text.lower()) if w not in _EN_STOP}
    return Units(frozenset(pairs), frozenset(numbers), frozenset(words), frozenset(chars))


def merge(all_units: Iterable[Units]) -> Units:
    """One set of units for several texts (all the customer's turns)."""
    pairs: set[str] = set()
    numbers: set[str] = set()
    words: set[str] = set()
    chars: set[str] = set()
    for u in all_units:
        pairs |= u.pairs
        numbers |= u.numbers
        words |= u.words
        chars |= u.chars
    return Units(frozenset(pairs), frozenset(numbers), frozenset(words), frozenset(chars))


def overlap(text: str, customer: Units) -> float:
    """Share of the content of ``text`` that the customer said (0 when ``text`` has no content)."""
    said = units(text)
    own = len(said.pairs) + 2 * len(said.numbers) + len(said.words)
    if not own:
        return 0.0
    shared = (
        len(said.pairs & customer.pairs) + 2 * len(said.numbers & customer.numbers) + len(said.words & customer.words)
    )
    return shared / own


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


# -- facts -----------------------------------------------------------------------------------------
_ZH_FACT_FRAME = re.compile(
    r"确认一下|核对一下|核实一下|跟您确认|和您确认|再确认|确认下|您是说|你是说|您的意思是|你的意思是|也就是说|就是说|"
    r"您刚才说|您刚刚说|您说的是|您提到|您反映|您反馈的|您描述的|您遇到的|我复述|我重复|我总结|我理一下|我梳理|"
    r"所以您|所以你|那您是|我了解了|我明白了|我听明白了|了解您的情况|情况是这样|您的情况是|您这边是|根据您说的|按您说的|"
    r"记一下|记下|记录下来|登记一下|我记住了|听下来|总结一下|梳理一下|我理解得对|明白了[：:]|了解了[：:]"
)
_ZH_CONFIRM_TAIL = re.compile(r"(对吗|是吗|对吧|是这样吗|没错吧|对不对|是不是这样|没错吗|是吧)[呀啊呢哈]?[？?]?$")
_ZH_ABOUT_CUSTOMER = re.compile(
    r"^(亲[，,~ ]*)?(那|嗯|好的|明白|了解)?[，, ]*(您|你)(的|是|在|于|这边|那边|买|订|下单|收到|反映|说|之前|昨天|前天|上周|上个月|\d)"
)
_ZH_LEAD_IN = re.compile(
    r"^(亲|好的|嗯|明白|了解|是的|对|哦|噢|那|那么|所以|也就是说|就是说|您是说|同学|先生|女士)+[，,~ ]*"
)
_ZH_AGENT_ACTION = re.compile(
    r"(我|我们|这边)(会|来|帮|给|马上|这就|现在|负责)|帮您|给您|为您|建议|可以|需要您|麻烦|^请|请您"
)
_ZH_ASKING = re.compile(r"什么|怎么|哪|多少|几|吗$|呢$")
_ZH_ADVICE = re.compile(
    r"^(亲[，,~ ]*)?(您|你)(可以|需要|请|先|把|要|只要|直接|点击|稍等|放心|别|不用|记得|看一下|方便)"
)
_EN_FACT_FRAME = re.compile(
    r"^(so,?\s+|and\s+|okay,?\s+|alright,?\s+|right,?\s+|yeah,?\s+)*(you('re| are| were| have|'ve| had| did| do| don't| didn't| can't| "
    r"said| mentioned| told| say| want| wanted| need| think| thought| feel| felt| seem| sound| went| got| started| stopped| used)\b|"
    r"it sounds like|sounds like|it seems|what i('m)? hear|you're saying|in other words|if i understand|let me (make sure|check)|"
    r"to confirm|correct me if|your \w+ (is|was|has|are))",
    re.IGNORECASE,
)
_EN_STRONG_FRAME = re.compile(
    r"\b(it (sounds|seems|looks) (like|as though|as if|to me)|sounds (like|as though)|i('m| am)? hearing|what i('m)? hear|"
    r"you('re| are) (saying|telling me)|in other words|if i('m| am)? (understand|hear)ing you|on the one hand|"
    r"part of you|you('re| are) (feeling|wanting|thinking|wondering|not sure|worried|concerned))\b",
    re.IGNORECASE,
)
_EN_FILLERS_START = (
    r"^[-\s]*((and|yeah|yes|oh|hmm|mm|mm-hmm|okay|ok|right|well|uh|um|now|but|all right|alright)[,.!\s-]+)*"
)
_EN_FILLERS = r"^[-\s]*((so|and|yeah|yes|oh|hmm|mm|mm-hmm|okay|ok|right|well|uh|um|now|but|and so)[,.!\s-]+)*"
_EN_YOU_START = re.compile(
    _EN_FILLERS
    + r"(you('re| are|'ve| have| seem| sound| feel| felt| want| wanna| don't| didn't| were| had| got| just| really|"
    r" kind of| sort of| still| also| never| always| went| started| stopped| used| tried| mentioned| said| think| thought| like| love| hate|"
    r" enjoy| care| know that| worry| wish| hope| need| find| found| believe| guess)\b|your \w+ (is|are|was|were|has|have|seems?))",
    re.IGNORECASE,
)
# Advice and instructions are the agent's own input, not a reflection of what the customer said.
_EN_ADVICE = re.compile(
    r"\byou (really |just |definitely |absolutely |still |also )?(need to|have to|must|should|shouldn't|could try|can try|'ll need|will need|"
    r"'re going to have to|ought to|had better|'d better|'ve got to|have got to|gotta)\b|"
    r"\bi (would |'d |really |strongly |can't |cannot |wouldn't |do )?(recommend|suggest|advise|want you to|need you to|like you to|encourage you)\b|"
    r"\b(it's|it is) (important|best|recommended|essential|vital|time) (to|that|for you)\b|\bnow's the time\b|"
    r"\b(please|make sure|try to|don't forget)\b",
    re.IGNORECASE,
)
_EN_SO_YOU = re.compile(r"^[-\s]*(so|and so|okay,? so|yeah,? so)\b[,\s-]*(you|your|it's|it is|that's)\b", re.IGNORECASE)
_EN_SECOND_PERSON = re.compile(r"\b(you|your|you're|you've|yourself)\b", re.IGNORECASE)
_EN_AGENT_TURN = re.compile(r"^[-\s]*(i|we|let's|let me|i'd|i'll|we'll|please|can i|may i)\b", re.IGNORECASE)
_EN_NOT_REFLECTION = re.compile(
    r"^(so,?\s+|and\s+|okay,?\s+)*you (know|can|could|should|might want|may|will need|need to go|guys)\b", re.IGNORECASE
)
# The agent's own input about the customer rather than what the customer said: a prediction or a
# warning (you'll / you're going to / you could get ...), information about the customer's body or
# risk, and thanks (you're welcome). "You'd like" and "you can't" are kept: they report a wish or a
# limit the customer voiced.
_EN_OWN_INPUT = re.compile(
    r"\byou('ll|'re going to|'re gonna| will| won't| are going to| are gonna| could| might| may| would| wouldn't)\b"
    r"(?! (like|love|prefer|rather|want|wish))|"
    r"\b(bad|dangerous|harmful|risky|unsafe|unhealthy) for you\b|\bput(ting)? (yourself|you) at risk\b|"
    r"\byou('re| are) welcome\b|\bthank(s| you)\b",
    re.IGNORECASE,
)
# "What you want is ..." names the customer's wish or point and hands it back (a pseudo-cleft).
_EN_WHAT_YOU = re.compile(
    _EN_FILLERS_START + r"(so,?\s+)?what you('re| are)?\s*('d like|would like|want|need|hope|mean|say|said|saying|"
    r"describe|described|notice|noticed|care about|value|enjoy|like)\b[^.?!]{0,80}?\b(is|was|are)\b",
    re.IGNORECASE,
)
# Content words a short statement must take from the customer's last turn to echo it (a reflection
# without "you": "Not ready to give it up yet." after "I'm not ready to give it up").
_ECHO_MIN_WORDS = 2
_ECHO_MIN_SHARE = 0.5
# "So" opening a statement sums up what came before: "So, mostly hanging out with friends."
_EN_SO_SUMMARY = re.compile(
    _EN_FILLERS_START
    + r"so\b(?!\s+(that|far|much|many|what|how|why|when|where|let's|tell|do|does|did|is|are|can|could|would|will))",
    re.IGNORECASE,
)
_EN_FIRST_PERSON = re.compile(r"\b(i|i'm|i've|i'd|i'll|me|my|we|we're|we'll|our|us|let's)\b", re.IGNORECASE)


# "You" statements are ambiguous in English between handing the customer's words back and telling
# the customer about themselves. In a turn that also advises or urges ("You're putting yourself at
# risk. You need to stop."), they are the premises of the agent's advice, so only an explicit
# reflection frame (it sounds like / so you ... / you're saying) still counts as a restatement there.
WEAK_EN_FACT_RULES = frozenset({"restate_fact.en.you_statement", "restate_fact.en.your_words", "restate_fact.en.echo"})


# Telling the customer what to do: advice, urging, a recommendation (also the tagger's English
# ``solution.en.advice``: in a service chat, "you should reset the router" is the agent's solution).
EN_DIRECTIVE = re.compile(
    # not when it reports the customer's own sense of obligation: "you feel you need to ..."
    r"(?<!feel )(?<!felt )(?<!like )(?<!think )(?<!said )(?<!know )(?<!that )"
    r"\byou(?:'d better|'ve got to|( really| just| definitely| absolutely| still| also)? (need to|have to|must|should|ought to|"
    r"had better|have got to|gotta))\b|"
    r"\bi(?: would|'d| really| strongly| can't| cannot| wouldn't| do)? (recommend|suggest|advise|want you to|need you to|"
    r"like you to|encourage you)\b|"
    r"\b(it's|it is) (important|essential|vital|time) (to|that|for you)\b|\bnow's the time\b|"
    r"(^|[.!?]\s+)(please|make sure|try to|don't forget|why don't you)\b",
    re.IGNORECASE,
)


def advises(text: str) -> bool:
    """True when an English utterance tells the customer what to do (advice, urging, a directive)."""
    return bool(EN_DIRECTIVE.search(text))


def restates_fact(
    sentence: Piece,
    chinese: bool,
    customer: Units,
    is_question: bool,
    last: Units | None = None,
    *,
    check_back: bool = False,
) -> str | None:
    """The rule that makes ``sentence`` a restatement of the customer's facts, or None.

    ``customer`` holds the content of every customer turn in the context, ``last`` that of the
    customer's latest turn (an English statement that echoes it is a restatement even without "you").
    ``check_back`` marks an English statement said as a question ("So you stopped in May?"): it is
    a restatement when it is about the customer or made of their words.
    """
    said = units(sentence.text)
    shared_pairs = len(said.pairs & customer.pairs)
    shared_numbers = len(said.numbers & customer.numbers)
    if chinese:
        score = shared_pairs + 2 * shared_numbers
        if _ZH_FACT_FRAME.search(sentence.text) and (score >= 2 or len(said.chars & customer.chars) >= 3):
            return "restate_fact.zh.confirm_frame"
        tail = _ZH_CONFIRM_TAIL.search(sentence.core)
        if tail:
            content = sentence.core[: tail.start()]
            mine = units(content)
            if (
                len(mine.pairs & customer.pairs) + 2 * len(mine.numbers & customer.numbers) >= 2
                and overlap(content, customer) >= 0.4
            ):
                return "restate_fact.zh.confirm_tail"
        statement = _zh_check_back(sentence.core)
        if statement is not None:
            mine = units(statement)
            if _shared(mine, customer) >= 2 and overlap(statement, customer) >= 0.5:
                return "restate_fact.zh.check_back"
        for clause in clauses(sentence):
            text = _ZH_LEAD_IN.sub("", clause.core)
            if len(text) < 4 or _ZH_ADVICE.search(text) or _ZH_AGENT_ACTION.search(text) or _ZH_ASKING.search(text):
                continue
            mine = units(text)
            shared = len(mine.pairs & customer.pairs) + 2 * len(mine.numbers & customer.numbers)
            if shared >= 2 and overlap(text, customer) >= 0.5:
                return "restate_fact.zh.customer_words"
            chars = mine.chars
            if len(chars & customer.chars) >= 4 and len(chars & customer.chars) / len(chars) >= 0.6:
                return "restate_fact.zh.customer_characters"
        return None
    shared = len(said.words & customer.words) + shared_numbers
    text = sentence.text
    if _EN_NOT_REFLECTION.search(text) or _EN_ADVICE.search(text) or _EN_OWN_INPUT.search(text):
        return None
    if _EN_STRONG_FRAME.search(text):
        return "restate_fact.en.reflection_frame"
    if not is_question and _EN_WHAT_YOU.search(text):
        return "restate_fact.en.what_you"
    if _EN_YOU_START.search(text):
        return "restate_fact.en.you_statement"
    if check_back and not _EN_AGENT_TURN.search(text) and (_EN_SECOND_PERSON.search(text) or shared >= 1):
        return "restate_fact.en.check_back"
    if is_question and not _EN_SO_YOU.search(text):
        return None
    if _EN_FACT_FRAME.search(text) and shared >= 1:
        return "restate_fact.en.you_frame"
    if (
        not is_question
        and _EN_SECOND_PERSON.search(text)
        and shared >= 1
        and not _EN_AGENT_TURN.search(text)
        and not _EN_ADVICE.search(text)
    ):
        return "restate_fact.en.your_words"
    if not is_question and last is not None and _echoes(text, last):
        return "restate_fact.en.echo"
    if not is_question and _EN_SO_SUMMARY.search(text) and not _EN_FIRST_PERSON.search(text) and shared >= 1:
        return "restate_fact.en.so_summary"
    return None


# A statement turned into a yes/no question by 吗 alone: "您是上周五报的修吗" hands the customer's
# words back for confirmation, like 对吗. Not when it asks something new (a wh-word, A-not-A) or
# guesses (是不是 / 是担心).
_ZH_MA_END = re.compile(r"(吗|么)[呀啊呢哈]?$")
_ZH_NOT_STATEMENT = re.compile(
    r"什么|怎么|怎样|为什么|哪|几|多少|多久|谁|如何|是不是|有没有|能不能|会不会|要不要|可不可以|是否|担心|怕|觉得|"
    r"^(您|你)?(还|也)?(需要|可以|能|方便|愿意|想|要|同意|接受)|麻烦"
)


def _zh_check_back(core: str) -> str | None:
    """The statement inside a 吗 question that restates (without 吗 and lead-in), or None."""
    end = _ZH_MA_END.search(core)
    if end is None:
        return None
    statement = _ZH_LEAD_IN.sub("", core[: end.start()])
    if len(statement) < 4 or _ZH_NOT_STATEMENT.search(statement) or _ZH_AGENT_ACTION.search(statement):
        return None
    return statement


def _shared(mine: Units, customer: Units) -> int:
    return len(mine.pairs & customer.pairs) + 2 * len(mine.numbers & customer.numbers)


def _echoes(text: str, last: Units) -> bool:
    """A statement in the third person made mostly of the content of the customer's last turn."""
    if _EN_FIRST_PERSON.search(text):
        return False
    own = units(text)
    content = len(own.words) + len(own.numbers)
    shared = len(own.words & last.words) + len(own.numbers & last.numbers)
    return shared >= _ECHO_MIN_WORDS and shared / content >= _ECHO_MIN_SHARE


# -- feelings --------------------------------------------------------------------------------------
_ZH_FEELING = (
    r"(着急|心急|急|生气|气愤|愤怒|火大|恼火|窝火|不满|失望|委屈|担心|担忧|顾虑|焦虑|郁闷|烦|闹心|糟心|不舒服|难受|"
    r"不开心|不高兴|沮丧|无奈|心疼|不放心|不踏实|为难|纠结|心情|感受|困扰|苦恼|不安|急切|在意|重视|难过|伤心|崩溃|"
    r"头疼|头大|折腾|辛苦|不容易|心塞|憋屈|气人|冤|想法|疑虑|难处|心意|用心|期待|感觉|煎熬|折磨|不好受|难以接受|受不了|"
    r"无语|失落|勉强|烦躁|不(太)?放心|不踏实|心烦|上火|急坏|气坏|心急如焚)"
)
_ZH_FEELING_RULES = (
    (
        "restate_feeling.zh.understand",
        re.compile(
            r"(理解|明白|体会|懂|知道|感受到|感受得到|听得出|看得出|感觉得到|想象得到|能想象)(到|得到)?[^。！？!?]{0,12}?"
            + _ZH_FEELING
        ),
    ),
    (
        "restate_feeling.zh.anyone",
        re.compile(
            r"换(了|作|成)?(谁|是我|我)|谁遇到[^。！？]{0,8}都|任何人[^。！？]{0,8}都|要是我(也|遇到)|我也会"
            + _ZH_FEELING
        ),
    ),
    (
        "restate_feeling.zh.indeed",
        re.compile(r"(确实|的确|真的|实在|肯定|一定|难怪|怪不得|当然|特别|这么)[^，。！？!?]{0,8}?" + _ZH_FEELING),
    ),
    (
        "restate_feeling.zh.view",
        re.compile(
            r"(您|你)说得(有道理|对|没错|很对|在理|是|太对了|非常对|很有道理)|(您|你)的(担心|顾虑|心情|感受|意见|想法|要求|"
            r"疑问|考虑|顾忌)(是|我们)?(很|非常|完全|都)?(正常|合理|可以理解|能理解|有道理|理解)|"
            r"(这个|这种|这样的)?(担心|顾虑|要求|想法)(很|非常|是)?(正常|合理|有道理)"
        ),
    ),
    (
        "restate_feeling.zh.acknowledge_what_was_said",
        re.compile(
            r"(我|我们)(也)?(完全|特别|非常|很|都|真的|十分|当然)?(能|可以)?(理解|明白|体谅|懂)(的|您|你)?[。！!，,~]*$|^(理解|明白|懂)(的|您|你)?[，,~ ]*(亲|您|你)?[，,~]|"
            r"(说得|这么说|这个想法|的想法|的要求|的判断|的顾虑|的担心|的心情|的感受)[^，。,]{0,6}(没错|对|在理|有道理|合理|合情合理|正常|实在|有依据)"
        ),
    ),
    (
        "restate_feeling.zh.hear_it",
        re.compile(r"(听|看)(得出|出来)?(您|你)(这|的)?(语气|声音|样子|描述|话里)|心疼(您|你|亲)"),
    ),
    (
        "restate_feeling.zh.makes_one_feel",
        re.compile(r"(让人|令人|叫人|让您|让你)(很|太|真|非常|挺|特别|有点)?" + _ZH_FEELING),
    ),
    (
        "restate_feeling.zh.made_you_feel",
        re.compile(
            r"让(您|你)(很|这么|那么)?(着急|担心|生气|失望|受委屈|委屈|不开心|心烦|为难|闹心|费心|操心|受累|受气|烦心|不愉快|难受)"
        ),
    ),
)
_ZH_GUESS = re.compile(r"是不是|会不会|是否|(您|你)是(担心|怕|觉得|嫌)")
_EN_FEELING = (
    r"(frustrat\w*|upset|angry|annoy\w*|worr\w*|concern\w*|anxious|nervous|scar\w*|afraid|sad|disappoint\w*|hurt\w*|"
    r"stress\w*|overwhelm\w*|tired|exhaust\w*|hard|difficult|tough|unfair|confus\w*|unsure|torn|ambivalent|happy|excit\w*|"
    r"proud|hopeful|reliev\w*|embarrass\w*|asham\w*|guilt\w*|lonely|fed up|struggl\w*|important to you|care about|matters? to you|"
    r"let down|ignored|stuck|alone|helpless|hopeless|trapped|judged|feel\w*|felt|fear\w*|pressure|challeng\w*|painful|sick of|tired of|want\w*|need\w*|hoping|hope)"
)
_EN_FEELING_RULES = (
    (
        "restate_feeling.en.understand",
        re.compile(
            r"\b(i|we) (can )?(understand|see|imagine|hear|get|know|appreciate)\b[^.?!]{0,40}?\b" + _EN_FEELING,
            re.IGNORECASE,
        ),
    ),
    (
        "restate_feeling.en.you_feel",
        re.compile(
            r"^(so,?\s+|and\s+|okay,?\s+|yeah,?\s+|it sounds like\s+|sounds like\s+|it seems( like)?\s+)*(you('re| are| were| feel| felt| seem| sound| must be| might be| have been|'ve been| don't| didn't)|"
            r"it('s| is| was| must be| sounds| seems)|that('s| is| was| must be| sounds| seems))\b[^.?!]{0,60}?\b"
            + _EN_FEELING,
            re.IGNORECASE,
        ),
    ),
    (
        "restate_feeling.en.label",
        re.compile(
            _EN_FILLERS_START
            + r"(so,?\s+)?(i('m| am) sure\s+|i bet\s+|i imagine\s+|i guess\s+)?(that('s| is| was)|it('s| is| was)|feeling|really|so|pretty|quite|very|a bit|kind of|sort of|\s)*"
            + r"(frustrat\w*|upset|angry|annoy\w*|worried|concerned|anxious|nervous|scared|afraid|sad|disappoint\w*|hurt|stressed|"
            r"overwhelm\w*|exhausted|discouraged|confused|torn|ambivalent|relieved|embarrassed|ashamed|guilty|lonely|fed up|stuck|"
            r"helpless|hopeless|trapped|judged|shocking|scary|upsetting|meaningful|important|tough|hard|painful)[.!\s]*$",
            re.IGNORECASE,
        ),
    ),
    (
        "restate_feeling.en.view",
        re.compile(
            r"\b(you're right|you are right|that's a (fair|good|valid) point|that makes (a lot of )?sense|fair enough)\b",
            re.I,
        ),
    ),
    (
        # What the customer values or keeps thinking about, named for them: "being there for your
        # kids is really important to you", "it's always on your mind".
        "restate_feeling.en.value",
        re.compile(
            r"\b(important|meaningful|precious|a big deal|a priority)\s+(to|for) you\b|\bon your mind\b|"
            r"\bmatters? (so much |a lot |a great deal )?to you\b|\bmeans (so much |a lot |a great deal )?to you\b",
            re.I,
        ),
    ),
)


# A feeling handed back as a question about the customer: "That worries you?" (wants and needs are
# facts of the customer's plan there, not feelings).
_EN_CHECK_BACK_FEELING = re.compile(
    r"\b(?!(want|need)\w*\b|hop(e|ed|es|ing)\b)" + _EN_FEELING + r"|\b(bother|upset|hurt)s? you\b", re.IGNORECASE
)


# Playing a feeling down is not acknowledging it: "it's not as hard as you think", "don't worry".
_EN_PLAYS_DOWN = re.compile(
    r"\bnot (as|that|so) \w+ as\b|\bnothing to (be|feel|get)\b|\bno (need|reason) to (be|feel|get)\b|"
    r"\b(don't|do not|shouldn't|should not) (be|feel|get|worry)\b",
    re.IGNORECASE,
)


def restates_feeling(
    sentence: Piece, chinese: bool, is_question: bool, *, check_back: bool = False
) -> tuple[str, str] | None:
    """The rule and the words that acknowledge the customer's feeling or view, or None.

    An English question names no feeling of the customer's unless it is a check-back, a statement
    said as a question ("That worries you?"), which reflects the feeling like the statement would.
    """
    text = sentence.text
    if chinese:
        if is_question and _ZH_GUESS.search(text):
            return None
        for rule, pattern in _ZH_FEELING_RULES:
            match = pattern.search(text)
            if match:
                return rule, match.group()
        return None
    if (is_question and not check_back) or _EN_NOT_REFLECTION.search(text) or _EN_ADVICE.search(text):
        return None
    if _EN_OWN_INPUT.search(text) or _EN_PLAYS_DOWN.search(text):
        return None
    for rule, pattern in _EN_FEELING_RULES:
        match = pattern.search(text)
        if match:
            return rule, match.group()
    if check_back and _EN_SECOND_PERSON.search(text):
        match = _EN_CHECK_BACK_FEELING.search(text)
        if match:
            return "restate_feeling.en.check_back", match.group()
    return None
