"""Captions, names and comments with the text real TikTok sends: emoji, CJK, RTL, newlines, quotes.

Why so much unicode: every layer downstream (JSON, Parquet, DuckDB, dbt, BI) must survive it, and
only data that contains it by default proves that.
"""

from __future__ import annotations

import random

EMOJI = ["🍜", "🔥", "😂", "❤️", "🐾", "🏃‍♀️", "✨", "🍳", "🥟", "😭", "👏", "🇯🇵", "🌶️", "💯", "🐶", "🐱", "🌅", "📚"]
FOREIGN = ["好吃！", "東京ラーメン", "美味しい", "跑步打卡", "可爱的猫", "오늘 뭐 먹지?", "مرحبا بالجميع", "شكرا لكم",
           "שלום לכולם", "תודה רבה", "très «bon»", "¡qué rico!"]

THEMES: dict[str, dict[str, list[str]]] = {
    "cooking": {
        "tags": ["cooking", "recipe", "foodtok", "ramen", "streetfood"],
        "phrases": ["easy cooking recipe", "東京 ramen 🍜 at home", "5-minute dinner recipe", "street food tour",
                    'grandma\'s "secret" sauce', "dumplings from scratch 🥟", "cooking with my mom", "one-pan pasta"],
    },
    "running": {
        "tags": ["running", "marathon", "fitness", "runtok"],
        "phrases": ["marathon training week", "sunrise run 🌅", "interval session done", "couch to 5k, day 3",
                    'my "easy" long run', "race day vlog", "marathon training fuel"],
    },
    "pets": {
        "tags": ["catsoftiktok", "dogsoftiktok", "pets", "cute"],
        "phrases": ["cat video of the day", 'he said "no" 😂', "zoomies at 3am", "first day home 🐶",
                    "she knows her name", "cat video: the sequel"],
    },
    "travel": {
        "tags": ["traveltok", "budgettravel", "japan", "tokyo"],
        "phrases": ["budget travel tips", "東京 in 48 hours", "hidden gems nobody talks about", "street food in Osaka",
                    "packing light, 7 days"],
    },
    "beauty": {
        "tags": ["skincare", "grwm", "makeup"],
        "phrases": ["skincare routine (night)", "glass skin ✨", "GRWM: first date", "my 3-step skincare routine"],
    },
    "books": {
        "tags": ["booktok", "reading"],
        "phrases": ["books that made me cry 😭", "reading vlog", "5-star reads this month", "don't read this at night"],
    },
}
THEME_NAMES = sorted(THEMES)
ALL_TAGS: list[str] = ["fyp"] + [t for name in THEME_NAMES for t in THEMES[name]["tags"]]

ADJECTIVES = ["sunny", "lazy", "cosmic", "tiny", "spicy", "midnight", "velvet", "lucky", "quiet", "happy"]
NOUNS = ["mochi", "panda", "noodle", "runner", "kitten", "taco", "pixel", "river", "cloud", "lemon"]
NICK_PARTS = ["Mia", "Kenji", "Layla ليلى", "Noa נועה", "小雨", "Jun 준", "Lucas", "Amara", "Zoë", "Omar عمر",
              "Sakura さくら", "Ines", "Dev", "Yael יעל", "Chen 陈"]
COMMENTS = ["this is so good 😭", "recipe please!!", "first 🔥", "I tried it and \"wow\"", "where is this?",
            "omg 😂😂", "好厉害", "美味しそう！", "رائع جدا", "מדהים", "need part 2\nasap", "who's here in 2026?",
            "the way he looked at the camera", "saving this ✨", "ok but the music 🎶"]


def nickname(r: random.Random) -> str:
    name = r.choice(NICK_PARTS)
    return f"{name} {r.choice(EMOJI)}" if r.random() < 0.5 else name


def pool_handle(r: random.Random, index: int) -> str:
    """Pool handles end in the 5-digit pool index, so a lookup by handle needs no table."""
    return f"{r.choice(ADJECTIVES)}{r.choice(NOUNS)}{index:05d}"


def signature(r: random.Random, theme: str) -> str:
    lines = [f"{theme} {r.choice(EMOJI)}", r.choice(FOREIGN)]
    if r.random() < 0.5:
        lines.append('DM for collabs · "be kind"')
    return "\n".join(lines)


def caption(r: random.Random, theme: str, tags: list[str], mention: str | None) -> tuple[str, list[tuple[int, int, str, str]]]:
    """Return the caption and its entities as (start, end, kind, value) with kind "hashtag" or "mention"."""
    text = r.choice(THEMES[theme]["phrases"])
    if r.random() < 0.6:
        text += " " + r.choice(EMOJI)
    if r.random() < 0.35:
        text += "\n" + r.choice(FOREIGN)
    entities: list[tuple[int, int, str, str]] = []
    for tag in tags:
        text += " "
        entities.append((len(text), len(text) + len(tag) + 1, "hashtag", tag))
        text += "#" + tag
    if mention:
        text += " "
        entities.append((len(text), len(text) + len(mention) + 1, "mention", mention))
        text += "@" + mention
    return text, entities


def comment_text(r: random.Random) -> str:
    text = r.choice(COMMENTS)
    return text + " " + r.choice(EMOJI) if r.random() < 0.3 else text
