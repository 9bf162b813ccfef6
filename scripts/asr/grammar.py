"""Closed-vocabulary command grammar for the sasp ASR workload (docs/asr.md, "Grammar").

Every utterance is a list of lower-case words drawn from VOCAB.  `sample(rng)` draws one
utterance (3..12 words) from a weighted mix of templates: digit strings, playing cards, robot
moves, clock times, alarms/timers, calls and messages to names, home control, calendar dates.
The vocabulary covers the transcripts of the cards, digit and "go forward" recordings in
Debian's pocketsphinx-testdata (the `real` test set).
"""

DIGITS = ["zero", "oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
UNITS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
TEENS = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
         "eighteen", "nineteen"]
TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
            "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
            "seventeenth", "eighteenth", "nineteenth", "twentieth"]
RANKS = ["ace", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "jack",
         "queen", "king"]
SUITS = ["clubs", "diamonds", "hearts", "spades"]
NAMES = ["alice", "bob", "carol", "david", "emma", "frank", "grace", "henry", "isabel", "jack",
         "kevin", "laura", "michael", "nina", "oscar", "peter", "rachel", "sarah", "thomas",
         "victor", "walter", "anna", "james", "maria", "paul", "linda", "george", "helen",
         "daniel", "sophie"]
SURNAMES = ["smith", "jones", "brown", "taylor", "wilson", "miller", "clark", "walker"]
DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september",
          "october", "november", "december"]
ROOMS = [["kitchen"], ["bedroom"], ["bathroom"], ["garage"], ["living", "room"], ["office"],
         ["hallway"], ["garden"]]
DEVICES = ["lights", "light", "fan", "heating", "radio", "television", "oven", "heater"]
DIRECTIONS = ["forward", "backward", "left", "right"]
COLORS = ["red", "green", "blue", "yellow", "white", "orange"]

OTHER = ["of", "the", "go", "turn", "move", "stop", "meters", "meter", "degrees", "steps", "then",
         "robot", "slowly", "quickly", "back", "around", "up", "down", "and", "please", "call",
         "send", "message", "to", "text", "ask", "tell", "remind", "me", "at", "on", "in", "for",
         "set", "an", "a", "alarm", "timer", "minutes", "minute", "seconds", "hours", "hour",
         "wake", "half", "past", "quarter", "oclock", "noon", "midnight", "am", "pm", "what",
         "time", "is", "it", "today", "tomorrow", "switch", "off", "open", "close", "lock",
         "unlock", "door", "window", "play", "pause", "music", "volume", "temperature", "percent",
         "hundred", "thousand", "dollars", "card", "cards", "draw", "deal", "number",
         "meeting", "with", "schedule", "dial", "pick", "i", "have", "make", "brighter",
         "dimmer", "next", "track", "song", "by", "about", "evening", "morning",
         "afternoon", "color", "change", "room", "living", "thirtieth"]


def _vocab():
    words = []
    for group in (DIGITS, UNITS, TEENS, TENS, ORDINALS, RANKS, SUITS, NAMES, SURNAMES, DAYS,
                  MONTHS, [w for r in ROOMS for w in r], DEVICES, DIRECTIONS, COLORS, OTHER):
        words.extend(group)
    return ["<blank>"] + sorted(set(words))


VOCAB = _vocab()
WORD_ID = {w: i for i, w in enumerate(VOCAB)}


# --- number phrases -----------------------------------------------------------------------
def number_words(n):
    """Cardinal 0..9999 as words ("three hundred and twenty one")."""
    if n == 0:
        return ["zero"]
    out = []
    if n >= 1000:
        out += number_words(n // 1000) + ["thousand"]
        n %= 1000
        if n and n < 100:
            out.append("and")
    if n >= 100:
        out += [UNITS[n // 100 - 1], "hundred"]
        n %= 100
        if n:
            out.append("and")
    if n >= 20:
        out.append(TENS[n // 10 - 2])
        n %= 10
        if n:
            out.append(UNITS[n - 1])
    elif n >= 10:
        out.append(TEENS[n - 10])
    elif n > 0:
        out.append(UNITS[n - 1])
    return out


def ordinal_words(n):
    """Ordinal 1..31."""
    if n <= 20:
        return [ORDINALS[n - 1]]
    if n < 30:
        return ["twenty", ORDINALS[n - 21]]
    return ["thirtieth"] if n == 30 else ["thirty", "first"]


def _pick(rng, seq):
    return seq[int(rng.integers(len(seq)))]


def _opt(rng, p=0.5):
    return rng.random() < p


def _small(rng, lo=1, hi=99):
    return number_words(int(rng.integers(lo, hi + 1)))


def clock_time(rng):
    h = int(rng.integers(1, 13))
    r = rng.random()
    if r < 0.25:
        w = number_words(h) + (["oclock"] if _opt(rng) else [])
    elif r < 0.5:
        m = int(rng.integers(1, 60))
        w = number_words(h) + (["oh"] + number_words(m) if m < 10 else number_words(m))
    elif r < 0.7:
        w = [_pick(rng, ["half", "quarter"]), "past"] + number_words(h)
    elif r < 0.8:
        w = ["quarter", "to"] + number_words(h)
    elif r < 0.9:
        w = number_words(h) + [_pick(rng, ["am", "pm"])]
    else:
        w = [_pick(rng, ["noon", "midnight"])]
    if _opt(rng, 0.15) and w[-1] not in ("am", "pm", "noon", "midnight"):
        w += [_pick(rng, ["am", "pm"])]
    return w


def person(rng):
    w = [_pick(rng, NAMES)]
    if _opt(rng, 0.3):
        w.append(_pick(rng, SURNAMES))
    return w


def card(rng):
    return [_pick(rng, RANKS), "of", _pick(rng, SUITS)]


def day_phrase(rng):
    r = rng.random()
    if r < 0.35:
        return ["on", _pick(rng, DAYS)]
    if r < 0.55:
        return [_pick(rng, ["today", "tomorrow"])]
    if r < 0.8:
        return ["on"] + (["the"] if _opt(rng) else []) + ordinal_words(int(rng.integers(1, 32))) + \
            ["of", _pick(rng, MONTHS)]
    return ["on", _pick(rng, MONTHS)] + ordinal_words(int(rng.integers(1, 32)))


def room(rng):
    return ["the"] + _pick(rng, ROOMS)


# --- templates ----------------------------------------------------------------------------
def t_digits(rng):
    n = int(rng.integers(3, 11))
    w = [_pick(rng, DIGITS) for _ in range(n)]
    if _opt(rng, 0.3):
        w = [_pick(rng, ["call", "dial"])] + (["number"] if _opt(rng, 0.3) else []) + w
    return w


def t_cards(rng):
    n = int(rng.integers(1, 4))
    w = []
    for i in range(n):
        if i and _opt(rng, 0.3):
            w.append("and")
        w += card(rng)
    r = rng.random()
    if r < 0.15:
        w = ["play", "the"] + w if n == 1 else ["play"] + w
    elif r < 0.25:
        w = ["i", "have"] + w
    elif r < 0.35:
        w = [_pick(rng, ["draw", "deal"])] + number_words(int(rng.integers(1, 8))) + ["cards"]
    elif r < 0.42:
        w = ["pick", "a", "card"] + (["please"] if _opt(rng) else [])
    elif r < 0.5 and n < 3:
        w = number_words(int(rng.integers(1, 10))) + w
    return w


def t_robot(rng):
    def step():
        r = rng.random()
        if r < 0.45:
            unit = _pick(rng, ["meters", "steps", "meter"])
            return [_pick(rng, ["go", "move"]), _pick(rng, DIRECTIONS)] + _small(rng, 1, 20) + [unit]
        if r < 0.75:
            return ["turn", _pick(rng, ["left", "right", "around"])] + \
                (_pick(rng, [["ninety"], ["forty", "five"], ["thirty"], ["one", "hundred", "and",
                                                                         "eighty"]]) + ["degrees"]
                 if _opt(rng, 0.6) else [])
        if r < 0.85:
            return ["go", _pick(rng, ["back", "forward", "up", "down"])] + \
                ([_pick(rng, ["slowly", "quickly"])] if _opt(rng) else [])
        return ["stop"] + (["please"] if _opt(rng) else ["the", "robot"])
    w = step()
    if _opt(rng, 0.5):
        w += ["then"] + step()
    if _opt(rng, 0.25):
        w = ["robot"] + w
    return w


def t_time(rng):
    r = rng.random()
    if r < 0.3:
        w = ["set", "an", "alarm", "for"] + clock_time(rng)
        if _opt(rng, 0.4):
            w += day_phrase(rng)
    elif r < 0.5:
        w = ["wake", "me", "up", "at"] + clock_time(rng) + \
            ([_pick(rng, ["tomorrow", "today"])] if _opt(rng, 0.3) else [])
    elif r < 0.75:
        unit = _pick(rng, ["minutes", "seconds", "hours", "minute", "hour"])
        w = ["set", "a", "timer", "for"] + _small(rng, 1, 90) + [unit]
    elif r < 0.85:
        w = ["what", "time", "is", "it"] + ([_pick(rng, ["please", "now"])] if False else [])
        w += ["in", "the", _pick(rng, ["morning", "evening", "afternoon"])] if _opt(rng, 0.4) else []
    else:
        w = ["remind", "me", "at"] + clock_time(rng) + (["to", "call"] + person(rng) if _opt(rng)
                                                        else day_phrase(rng))
    return w


def t_person(rng):
    r = rng.random()
    if r < 0.3:
        w = ["call"] + person(rng)
        if _opt(rng, 0.4):
            w += ["at"] + clock_time(rng)
        elif _opt(rng):
            w += day_phrase(rng)
        if len(w) < 3:
            w += ["please"] if _opt(rng) else ["now" if False else "today"]
    elif r < 0.55:
        w = ["send", "a", "message", "to"] + person(rng) + \
            (["about", "the", "meeting"] if _opt(rng, 0.4) else [])
    elif r < 0.75:
        w = ["schedule", "a", "meeting", "with"] + person(rng) + day_phrase(rng) + \
            (["at"] + clock_time(rng) if _opt(rng, 0.4) else [])
    elif r < 0.9:
        w = [_pick(rng, ["ask", "tell", "text"])] + person(rng) + ["to", "call", "me"] + \
            ([_pick(rng, ["today", "tomorrow"])] if _opt(rng, 0.4) else [])
    else:
        w = ["play", "the", "next", _pick(rng, ["song", "track"])] + \
            (["by"] + person(rng) if _opt(rng) else [])
    return w


def t_home(rng):
    r = rng.random()
    if r < 0.35:
        w = [_pick(rng, ["turn", "switch"]), _pick(rng, ["on", "off"]), "the", _pick(rng, DEVICES)]
        if _opt(rng, 0.6):
            w += ["in"] + room(rng)
    elif r < 0.5:
        w = [_pick(rng, ["open", "close", "lock", "unlock"]), "the",
             _pick(rng, ["door", "window"])] + (["in"] + room(rng) if _opt(rng, 0.5) else [])
    elif r < 0.65:
        w = ["set", "the", _pick(rng, ["temperature", "volume"]), "to"] + _small(rng, 1, 100) + \
            ([_pick(rng, ["percent", "degrees"])] if _opt(rng, 0.5) else [])
    elif r < 0.75:
        w = ["make", "the", _pick(rng, ["lights", "light"]), _pick(rng, ["brighter", "dimmer"])] + \
            (["in"] + room(rng) if _opt(rng, 0.4) else [])
    elif r < 0.85:
        w = ["change", "the", "color", "to", _pick(rng, COLORS)] + \
            (["in"] + room(rng) if _opt(rng, 0.4) else [])
    elif r < 0.93:
        w = [_pick(rng, ["play", "pause"]), "the", "music"] + \
            (["in"] + room(rng) if _opt(rng, 0.5) else [])
    else:
        w = ["send"] + number_words(int(rng.integers(1, 10000))) + ["dollars", "to"] + \
            person(rng)
    return w


TEMPLATES = [(t_digits, 0.16), (t_cards, 0.16), (t_robot, 0.14), (t_time, 0.16),
             (t_person, 0.14), (t_home, 0.24)]


def sample(rng, min_words=3, max_words=12):
    ws = [p for _, p in TEMPLATES]
    tot = sum(ws)
    while True:
        r = rng.random() * tot
        for fn, p in TEMPLATES:
            r -= p
            if r < 0:
                break
        w = fn(rng)
        if min_words <= len(w) <= max_words:
            assert all(x in WORD_ID for x in w), w
            return w


def encode(words):
    return [WORD_ID[w] for w in words]


def decode(ids):
    return [VOCAB[i] for i in ids]


if __name__ == "__main__":
    import numpy as np
    rng = np.random.default_rng(1)
    print(len(VOCAB) - 1, "words")
    for _ in range(40):
        print(" ".join(sample(rng)))
