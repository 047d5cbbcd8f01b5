"""Write a synthetic cpkb knowledge base of N entities: benchmark data, every fact made up.

Usage: python bench/generate.py N --seed S [-o PATH]

The output follows data/cpkb-1.schema.json (schema version 1), is the same for the same N and
seed, and is written one entity per line as it is generated. Names are Kazakh-style (Latin, with
Cyrillic/Kazakh-script and English aliases); every source is titled "Synthetic source K" and
every quote is generated. Each entity after the first links to an earlier one, so the graph is
connected; every law links to the first entity, "Republic of Kazakhstan", a hub with many
backlinks as in real data.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import json
import json.encoder
import random
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO, TypeVar

GENERATOR_VERSION = 2  # bump when the output (KB or probes) for a given N and seed changes

T = TypeVar("T")

TYPE_WEIGHTS = {"official": 30, "organisation": 20, "law": 10, "programme": 10, "statistic": 30}
# The first five entities are one of each type, so even a tiny KB has all five.
FIRST_TYPES = ("organisation", "official", "law", "programme", "statistic")

# fmt: off
MALE = [
    ("Nurlan", "Нұрлан"), ("Askar", "Асқар"), ("Yerlan", "Ерлан"), ("Marat", "Марат"),
    ("Daniyar", "Данияр"), ("Bolat", "Болат"), ("Timur", "Тимур"), ("Serik", "Серік"),
    ("Kairat", "Қайрат"), ("Yerzhan", "Ержан"), ("Arman", "Арман"), ("Baurzhan", "Бауыржан"),
    ("Dauren", "Дәурен"), ("Nurzhan", "Нұржан"), ("Azamat", "Азамат"), ("Olzhas", "Олжас"),
    ("Galym", "Ғалым"), ("Zhandos", "Жандос"), ("Talgat", "Талғат"), ("Yermek", "Ермек"),
    ("Aidos", "Айдос"), ("Rustem", "Рүстем"), ("Sanzhar", "Санжар"), ("Beibit", "Бейбіт"),
]
FEMALE = [
    ("Aigerim", "Айгерім"), ("Gulnara", "Гүлнара"), ("Saule", "Сәуле"), ("Aliya", "Әлия"),
    ("Zhanar", "Жанар"), ("Madina", "Мадина"), ("Aruzhan", "Аружан"), ("Ainur", "Айнұр"),
    ("Dinara", "Динара"), ("Asel", "Әсел"), ("Gaukhar", "Гауһар"), ("Dana", "Дана"),
    ("Kamila", "Камила"), ("Meruert", "Меруерт"), ("Botagoz", "Ботагөз"), ("Zhuldyz", "Жұлдыз"),
    ("Aizhan", "Айжан"), ("Saltanat", "Салтанат"), ("Ulzhan", "Ұлжан"), ("Assem", "Әсем"),
    ("Nazerke", "Назерке"), ("Togzhan", "Тоғжан"), ("Kuralai", "Құралай"), ("Akmaral", "Ақмарал"),
]
SURNAMES = [  # male forms; the female form adds "a" in both scripts
    ("Abenov", "Әбенов"), ("Nurpeisov", "Нұрпейісов"), ("Zhaksylykov", "Жақсылықов"),
    ("Serikbayev", "Серікбаев"), ("Omarov", "Омаров"), ("Bekov", "Беков"),
    ("Akhmetov", "Ахметов"), ("Suleimenov", "Сүлейменов"), ("Kassymov", "Қасымов"),
    ("Zhumabayev", "Жұмабаев"), ("Mukhametov", "Мұхаметов"), ("Baimukhanov", "Баймұханов"),
    ("Dosmukhamedov", "Досмұхамедов"), ("Yesimov", "Есімов"), ("Tulegenov", "Төлегенов"),
    ("Sarsenov", "Сәрсенов"), ("Amanov", "Аманов"), ("Kenzhebayev", "Кенжебаев"),
    ("Orazov", "Оразов"), ("Temirov", "Теміров"), ("Shaikenov", "Шәйкенов"),
    ("Utegenov", "Өтегенов"), ("Zhakupov", "Жақыпов"), ("Ospanov", "Оспанов"),
    ("Iskakov", "Ысқақов"), ("Mussin", "Мусин"), ("Rakhimov", "Рахимов"), ("Sadykov", "Садықов"),
    ("Yergaliyev", "Ерғалиев"), ("Kaliyev", "Қалиев"), ("Abdrakhmanov", "Абдрахманов"),
    ("Balgabayev", "Балғабаев"), ("Kuanyshev", "Қуанышев"), ("Tursynov", "Тұрсынов"),
    ("Zhunusov", "Жүнісов"), ("Alimzhanov", "Әлімжанов"), ("Bekturov", "Бектұров"),
    ("Tokhtarov", "Тоқтаров"), ("Imanbayev", "Иманбаев"), ("Seitkaliyev", "Сейітқалиев"),
]
PLACES = [
    ("Almaty", "Алматы"), ("Astana", "Астана"), ("Shymkent", "Шымкент"),
    ("Karaganda", "Қарағанды"), ("Aktobe", "Ақтөбе"), ("Taraz", "Тараз"),
    ("Pavlodar", "Павлодар"), ("Oskemen", "Өскемен"), ("Semey", "Семей"), ("Atyrau", "Атырау"),
    ("Kostanay", "Қостанай"), ("Kyzylorda", "Қызылорда"), ("Oral", "Орал"),
    ("Petropavl", "Петропавл"), ("Turkistan", "Түркістан"), ("Aktau", "Ақтау"),
    ("Taldykorgan", "Талдықорған"), ("Kokshetau", "Көкшетау"), ("Ekibastuz", "Екібастұз"),
    ("Zhezkazgan", "Жезқазған"),
]
ORG_KINDS = [  # (English, Kazakh, abbreviation, what it does)
    ("Family Support Centre", "отбасын қолдау орталығы", "FSC",
     "provides social and psychological support to families with children"),
    ("Guardianship Authority", "қорғаншылық және қамқоршылық органы", "GA",
     "arranges guardianship, foster care and adoption for children without parental care"),
    ("Department of Education", "білім басқармасы", "DoE", "runs schools and preschool education"),
    ("Juvenile Police Unit", "кәмелетке толмағандар ісі жөніндегі полиция бөлімі", "JPU",
     "prevents offences by and against minors"),
    ("Child Rights Commission", "бала құқықтары жөніндегі комиссия", "CRC",
     "monitors how children's rights are observed"),
    ("Youth Resource Centre", "жастар ресурстық орталығы", "YRC",
     "runs mentoring and leisure programmes for teenagers"),
    ("Children's Hospital", "балалар ауруханасы", "CH", "provides medical care to children"),
    ("Crisis Centre for Women and Children", "әйелдер мен балаларға арналған дағдарыс орталығы",
     "CCWC", "shelters victims of domestic violence"),
    ("Inclusive Education Support Centre", "инклюзивті білім беруді қолдау орталығы", "IESC",
     "supports children with special educational needs"),
    ("Social Protection Department", "әлеуметтік қорғау бөлімі", "SPD",
     "pays benefits and targeted social assistance to families"),
]
TITLES = [
    "Director", "Deputy Director", "Head of Department", "Chief Specialist", "Senior Inspector",
    "School Psychologist", "Social Worker", "Legal Adviser", "Commissioner for Children's Rights",
    "Chair of the Board",
]
DUTIES = [
    "guardianship and foster care cases", "the prevention of violence against children",
    "inclusive education", "support for large families", "juvenile affairs",
    "the 111 child helpline", "school safety and anti-bullying work", "adoption procedures",
]
LAW_TOPICS = [  # (English, Kazakh)
    ("the Rights of the Child", "Бала құқықтары"), ("Education", "Білім"),
    ("Guardianship and Custody", "Қорғаншылық және қамқоршылық"),
    ("the Prevention of Domestic Violence", "Тұрмыстық зорлық-зомбылық профилактикасы"),
    ("Marriage and Family", "Неке және отбасы"),
    ("Social Protection of Orphans", "Жетім балаларды әлеуметтік қорғау"),
    ("Juvenile Justice", "Ювеналдық әділет"), ("Inclusive Education", "Инклюзивті білім беру"),
    ("Child Online Safety", "Балалардың онлайн қауіпсіздігі"),
    ("the Prevention of Bullying", "Буллингтің алдын алу"),
]
LAW_EFFECTS = [
    "sets penalties for violence against minors", "creates a register of foster families",
    "requires a psychologist in every school", "raises benefits for families with children",
    "restricts harmful online content for children", "reforms juvenile courts",
]
PROGRAMMES = [  # (Latin, Cyrillic, English translation)
    ("Bolashaq Balalary", "Болашақ балалары", "Children of the Future"),
    ("Adal Urpaq", "Адал ұрпақ", "Honest Generation"),
    ("Zhas Otbasy", "Жас отбасы", "Young Family"),
    ("Kamkor", "Қамқор", "Care"), ("Sau Bala", "Сау бала", "Healthy Child"),
    ("Bilimdi Urpaq", "Білімді ұрпақ", "Educated Generation"),
    ("Qauipsiz Mektep", "Қауіпсіз мектеп", "Safe School"),
    ("Mereili Otbasy", "Мерейлі отбасы", "Happy Family"),
    ("Zhasyl Aula", "Жасыл аула", "Green Yard"),
    ("Balapan", "Балапан", "Fledgling"), ("Umit", "Үміт", "Hope"),
    ("Meirim", "Мейірім", "Kindness"),
]
PROGRAMME_KINDS = ["state programme", "regional programme", "pilot project", "national initiative"]
MEASURES = [  # (English, Kazakh, unit)
    ("Reported cases of violence against children",
     "балаларға қатысты зорлық-зомбылық туралы хабарланған жағдайлар", "cases"),
    ("Children placed in foster families", "қабылдаушы отбасыларға орналастырылған балалар",
     "children"),
    ("Children in residential care", "балалар үйлеріндегі балалар", "children"),
    ("Share of schools with a psychologist", "психологі бар мектептердің үлесі", "percent"),
    ("Juvenile offences", "кәмелетке толмағандардың құқық бұзушылықтары", "cases"),
    ("Calls to the 111 child helpline", "111 балалар сенім телефонына қоңыраулар", "calls"),
    ("Bullying incidents in schools", "мектептердегі буллинг оқиғалары", "cases"),
    ("Adoptions", "бала асырап алу", "children"),
    ("Families receiving targeted social assistance", "атаулы әлеуметтік көмек алатын отбасылар",
     "families"),
    ("Preschool enrolment rate", "мектепке дейінгі тәрбиемен қамту деңгейі", "percent"),
    ("Child poverty rate", "балалар кедейлігінің деңгейі", "percent"),
    ("Funding for child protection services", "балаларды қорғау қызметтерін қаржыландыру",
     "KZT million"),
]
MONTHS = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
]
MONTHS_KK = [
    "қаңтар", "ақпан", "наурыз", "сәуір", "мамыр", "маусым", "шілде", "тамыз", "қыркүйек",
    "қазан", "қараша", "желтоқсан",
]
PUBLISHERS = [
    "Synthetic Gazette", "Synthetic Statistics Bureau", "Synthetic News Agency",
    "Synthetic Ministry Bulletin",
]
# fmt: on
# How an extra link to an entity of each type is called.
EXTRA_LINK = {
    "official": "cooperates_with",
    "organisation": "partner_of",
    "law": "legal_basis",
    "programme": "related_to",
    "statistic": "cites_figure",
}
VERB = {
    "member_of": "works at",
    "part_of": "is part of",
    "jurisdiction": "applies in",
    "amends": "amends",
    "implemented_by": "is implemented by",
    "attributed_to": "is attributed to",
    "reported_by": "was reported by",
    "legal_basis": "is based on",
    "cooperates_with": "cooperates with",
    "partner_of": "is a partner of",
    "related_to": "is related to",
    "cites_figure": "cites the figure",
}
_SLUG = re.compile(r"[^a-z0-9]+")
_quote = json.encoder.encode_basestring  # a str as a JSON string literal, non-ASCII kept


def _json(value: str | int | float) -> str:
    return _quote(value) if isinstance(value, str) else repr(value)


class Dice(random.Random):
    """random.Random with the few draws the generator makes, done fast (same seed, same data)."""

    def pick(self, items: Sequence[T]) -> T:
        return items[int(self.random() * len(items))]

    def below(self, n: int) -> int:
        return int(self.random() * n)

    def between(self, low: int, high: int) -> int:
        return low + int(self.random() * (high - low + 1))


@dataclass
class Generator:
    """The state of one run: what exists so far, by position and by type.

    Documents are written as JSON text directly (not dicts through json.dumps): it is twice as
    fast, and every string still goes through the json module's own escaping.
    """

    n: int
    rng: Dice
    sources: list[str]
    names: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    by_type: dict[str, list[int]] = field(default_factory=dict)
    taken: set[str] = field(default_factory=set)
    counters: dict[tuple[int, int], int] = field(default_factory=dict)
    probes: dict[str, str] = field(default_factory=dict)

    def earlier(self, *types: str) -> int:
        """A random earlier entity of one of `types`, else any earlier entity."""
        pools = [self.by_type.get(t, []) for t in types]
        pick = self.rng.below(sum(map(len, pools)) or len(self.ids))
        for pool in pools:
            if pick < len(pool):
                return pool[pick]
            pick -= len(pool)
        return pick

    def unique_name(self, *candidates: str) -> str:
        """The first candidate no entity has yet (compared as cpkb compares names)."""
        for name in candidates:
            if _key(name) not in self.taken:
                return name
        k = 2
        while _key(f"{candidates[-1]} ({k})") in self.taken:
            k += 1
        return f"{candidates[-1]} ({k})"

    def cite(self, sentence: str) -> str:
        """The "sources" member: one citation, sometimes two, quoting `sentence`."""
        quote = _quote(sentence)
        first = self.rng.pick(self.sources)
        cited = f'{{"source":"{first}","quote":{quote}}}'
        if self.rng.random() < 0.1 and (second := self.rng.pick(self.sources)) != first:
            cited += f',{{"source":"{second}","quote":{quote}}}'
        return f'"sources":[{cited}]'

    def value(self, prop: str, value: str | int | float, unit: str = "", date: str = "") -> str:
        shown = f"{value} {unit}" if unit else value
        extra = (f',"unit":{_quote(unit)}' if unit else "") + (f',"date":"{date}"' if date else "")
        sentence = f"{prop.replace('_', ' ').capitalize()}: {shown}."
        return f'{{"property":"{prop}","value":{_json(value)}{extra},{self.cite(sentence)}}}'

    def link(self, prop: str, target: int) -> str:
        sentence = f"{VERB[prop].capitalize()} {self.names[target]}."
        return f'{{"property":"{prop}","target":"{self.ids[target]}",{self.cite(sentence)}}}'

    def add(self, kind: str, name: str, aliases: list[str], summary: str, claims: list[str]) -> str:
        """Record a new entity (with a few extra links to earlier ones); return its JSON text."""
        i = len(self.ids)
        roll = self.rng.random() if i else 0.0
        for _ in range((roll > 0.55) + (roll > 0.9)):
            target = self.rng.below(i)
            claims.append(self.link(EXTRA_LINK[self.types[target]], target))
        entity_id = _SLUG.sub("-", name.lower()).strip("-")
        self.taken.add(_key(name))
        self.names.append(name)
        self.ids.append(entity_id)
        self.types.append(kind)
        self.by_type.setdefault(kind, []).append(i)
        return (
            f'{{"id":"{entity_id}","type":"{kind}","name":{_quote(name)},'
            f'"aliases":[{",".join(map(_quote, aliases))}],"summary":{_quote(summary)},'
            f'{self.cite(summary)},"claims":[{",".join(claims)}]}}'
        )


def _key(name: str) -> str:
    return _SLUG.sub("", name.lower())


def _date(rng: Dice, first: int = 2005, last: int = 2025) -> str:
    return f"{rng.between(first, last)}-{rng.between(1, 12):02d}-{rng.between(1, 28):02d}"


def _typo(word: str) -> str:
    """Swap two different neighbouring letters near the middle: 'Abenov' -> 'Abneov'."""
    for j in range(max(1, len(word) // 2), len(word)):
        if word[j] != word[j - 1]:
            return word[: j - 1] + word[j] + word[j - 1] + word[j + 1 :]
    return word + word[-1]


def _person(g: Generator) -> tuple[str, str, str, str, str, str]:
    """First name, patronymic and surname, in Latin and in Kazakh Cyrillic."""
    male = g.rng.random() < 0.5
    first, first_kk = g.rng.pick(MALE if male else FEMALE)
    father, father_kk = g.rng.pick(MALE)
    surname, surname_kk = g.rng.pick(SURNAMES)
    if male:
        return first, first_kk, father + "uly", father_kk + "ұлы", surname, surname_kk
    return first, first_kk, father + "kyzy", father_kk + "қызы", surname + "a", surname_kk + "а"


def official(g: Generator) -> str:
    first, first_kk, patronymic, patronymic_kk, surname, surname_kk = _person(g)
    place, place_kk = g.rng.pick(PLACES)
    full = f"{first} {patronymic} {surname}"
    name = g.unique_name(f"{first} {surname}", full, f"{full} ({place})")
    kazakh = f"{surname_kk} {first_kk} {patronymic_kk}"  # the official Kazakh order
    if name.startswith(f"{full} ({place})"):  # a namesake: say where, as the name does
        kazakh += f" ({place_kk}){name.removeprefix(f'{full} ({place})')}"
    aliases = [kazakh]
    if g.rng.random() < 0.1:
        aliases.append(f"{first[0]}. {surname}")
    if g.rng.random() < 0.05:
        aliases.append(surname)
    org = g.earlier("organisation")
    title = g.rng.pick(TITLES)
    summary = f"{title} at {g.names[org]}, responsible for {g.rng.pick(DUTIES)}."
    claims = [
        g.value("title", title),
        g.link("member_of", org),
        g.value("took_office", _date(g.rng)),
    ]
    text = g.add("official", name, aliases, summary, claims)
    if not g.probes.get("past_middle"):  # the first official past the middle, else the last
        g.probes.update(past_middle="yes" if len(g.ids) > g.n // 2 else "")
        g.probes.update(id=g.ids[-1], name=name, two_words=f"{first} {surname}")
        g.probes.update(typo=f"{first} {_typo(surname)}", cyrillic=f"{surname_kk} {first_kk}")
    return text


def organisation(g: Generator) -> str:
    k_place, k_kind = g.rng.below(len(PLACES)), g.rng.below(len(ORG_KINDS))
    number = g.counters[k_place, k_kind] = g.counters.get((k_place, k_kind), 0) + 1
    (place, place_kk), (kind, kind_kk, abbr, does) = PLACES[k_place], ORG_KINDS[k_kind]
    name = g.unique_name(f"{place} {kind} No. {number}")
    aliases = [f"{place_kk} {kind_kk} № {number}"]
    if g.rng.random() < 0.5:
        aliases.append(f"{abbr} {place} {number}")
    year = str(g.rng.between(2020, 2025))
    claims = [
        g.value("located_in", place),
        g.link("part_of", g.earlier("organisation")),
        g.value("founded", g.rng.between(1991, 2024)),
        g.value("staff", g.rng.between(5, 400), unit="staff", date=year),
    ]
    return g.add("organisation", name, aliases, f"A {kind.lower()} in {place} that {does}.", claims)


def law(g: Generator) -> str:
    topic, topic_kk = g.rng.pick(LAW_TOPICS)
    number = f"{len(g.by_type.get('law', [])) + 101}-{g.rng.pick(['IV', 'V', 'VI', 'VII'])}"
    adopted = _date(g.rng, 1995)
    name = g.unique_name(f"Law No. {number} on {topic}")
    aliases = [
        f"{topic_kk} туралы Қазақстан Республикасының № {number} Заңы",
        f"Law {number}",
    ]
    effect = g.rng.pick(LAW_EFFECTS)
    summary = (
        f"Law of the Republic of Kazakhstan on {topic}, adopted in {adopted[:4]}; it {effect}."
    )
    claims = [
        g.value("law_number", number),
        g.value("adopted", adopted),
        g.value("status", g.rng.pick(["in force", "in force", "amended", "repealed"])),
        g.link("jurisdiction", 0),
    ]
    if g.by_type.get("law") and g.rng.random() < 0.4:
        claims.append(g.link("amends", g.earlier("law")))
    if g.rng.random() < 0.5:
        claims.append(g.link("implemented_by", g.earlier("organisation")))
    return g.add("law", name, aliases, summary, claims)


def programme(g: Generator) -> str:
    (stem, stem_kk, stem_en), (place, place_kk) = g.rng.pick(PROGRAMMES), g.rng.pick(PLACES)
    start = g.rng.between(2010, 2025)
    years = f"{start}–{start + g.rng.between(1, 5)}"
    name = g.unique_name(f"{stem} {place} {years}")
    tail = name.removeprefix(f"{stem} {place} {years}")
    aliases = [
        f"«{stem_kk}» бағдарламасы, {place_kk}, {years}{tail}",
        f"{stem_en} ({place}, {years}){tail}",
    ]
    kind = g.rng.pick(PROGRAMME_KINDS)
    summary = f"A {kind} in {place}, {years}, known in English as {stem_en}."
    claims = [
        g.value("kind", kind),
        g.value("status", g.rng.pick(["ongoing", "completed", "planned"])),
        g.link("implemented_by", g.earlier("organisation")),
        g.value("budget", round(g.rng.uniform(5, 5000), 1), unit="KZT million"),
    ]
    if g.by_type.get("law") and g.rng.random() < 0.5:
        claims.append(g.link("legal_basis", g.earlier("law")))
    return g.add("programme", name, aliases, summary, claims)


def statistic(g: Generator) -> str:
    (measure, measure_kk, unit), (place, place_kk) = g.rng.pick(MEASURES), g.rng.pick(PLACES)
    year, month = g.rng.between(2000, 2025), g.rng.below(12)
    when, when_kk = f"{MONTHS[month]} {year}", f"{year} жылғы {MONTHS_KK[month]}"
    base = f"{measure} in {place}, {when}"
    name = g.unique_name(base, f"{base} (revised)")
    tail = name.removeprefix(base).replace("revised", "нақтыланған")
    figure = round(g.rng.uniform(0, 100), 1) if unit == "percent" else g.rng.between(3, 20000)
    summary = f"{measure} in {place} in {when}: a synthetic figure for benchmarking."
    claims = [
        g.value("measure", measure.lower()),
        g.value("value", figure, unit=unit, date=f"{year}-{month + 1:02d}"),
        g.value("direction", g.rng.pick(["increase", "decrease", "stable"])),
        g.link("attributed_to", g.earlier("law", "programme")),
    ]
    if g.rng.random() < 0.7:
        claims.append(g.link("reported_by", g.earlier("organisation", "official")))
    return g.add("statistic", name, [f"{place_kk}: {measure_kk}, {when_kk}{tail}"], summary, claims)


def kazakhstan(g: Generator) -> str:
    aliases = ["Kazakhstan", "Қазақстан Республикасы", "Қазақстан"]
    claims = [g.value("capital", "Astana")]
    summary = "The state whose laws these are."
    return g.add("organisation", "Republic of Kazakhstan", aliases, summary, claims)


MAKERS = {
    "official": official,
    "organisation": organisation,
    "law": law,
    "programme": programme,
    "statistic": statistic,
}


def source_docs(rng: Dice, count: int) -> list[dict[str, str]]:
    return [
        {
            "id": f"synthetic-{k}",
            "title": f"Synthetic source {k}",
            "publisher": rng.pick(PUBLISHERS),
            "date": _date(rng, 2015),
            "url": f"https://example.invalid/synthetic/{k}",
            "reliability": "Synthetic benchmark data made by bench/generate.py; not a document.",
        }
        for k in range(1, count + 1)
    ]


def generate(n: int, seed: int, out: TextIO) -> dict[str, str]:
    """Write a KB of `n` entities to `out`; return the probes (id, name, queries) to time.

    The probes come from one official near the middle of the file, and `last` is the file's last
    entity (no probes when n is 1).
    """
    rng = Dice(seed)
    sources = source_docs(rng, min(40, 3 + n // 2500))
    g = Generator(n=n, rng=rng, sources=[s["id"] for s in sources])
    kinds, bounds = list(TYPE_WEIGHTS), list(itertools.accumulate(TYPE_WEIGHTS.values()))
    out.write('{"schema_version":1,\n"sources":[\n')
    out.write(",\n".join(json.dumps(s, ensure_ascii=False) for s in sources))
    out.write('],\n"entities":[\n')
    for i in range(n):
        kind = kinds[bisect.bisect(bounds, rng.random() * bounds[-1])]
        if i < len(FIRST_TYPES):
            kind = FIRST_TYPES[i]
        out.write(("," if i else "") + (kazakhstan(g) if i == 0 else MAKERS[kind](g)) + "\n")
    out.write("]}\n")
    if g.probes.pop("past_middle", None) is not None:
        g.probes["last"] = g.ids[-1]  # the other end of `cpkb path`
    return g.probes


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("n", type=int, help="number of entities")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("-o", "--output", type=Path, help="file to write (default stdout)")
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("N must be at least 1")
    if args.output is None:
        generate(args.n, args.seed, sys.stdout)
        return 0
    partial = args.output.with_name(args.output.name + ".tmp")
    with partial.open("w", encoding="utf-8") as out:
        generate(args.n, args.seed, out)
    partial.replace(args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
