"""Demo dialogue events: a published evening in the park with its answer, and an open one.

`load_dialog_demo(organisation, facilitator)` adds, to an organisation the survey demo
created, "Trygghet i Parken" (published: ~60 synthetic participants, 30 statements in
Swedish, English and Arabic, votes from three opinion camps, dots, paper tallies, table
notes and "what we do") and "Ungas fritid" (open, for a newcomer to join). The votes come
from a seeded NumPy generator, so every load gives the same matrix and the same groups.
It flushes; the caller commits.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
from sqlalchemy import select

from dialog import queries, services
from dialog.models import (
    ActionStatus,
    DotAllocation,
    Event,
    EventStatus,
    Moderation,
    Participant,
    Prompt,
    Statement,
    StatementSource,
    StatementStatus,
    Vote,
)
from surveys.auth.models import Organisation, User
from surveys.core.time import utcnow
from surveys.extensions import db

SEED = 20261123
PARTICIPANTS = 60
#: Share of participants in each camp: safety first, activities for the young, calm nature.
CAMPS = (0.45, 0.35, 0.20)
LANGUAGE_SHARES = {"sv": 0.6, "en": 0.15, "ar": 0.25}
#: Agree / disagree / pass probabilities for a camp's stance on a statement.
STANCES = {"+": (0.85, 0.05, 0.10), "-": (0.08, 0.82, 0.10), "0": (0.35, 0.30, 0.35)}
#: Wanted join codes (letters the alphabet allows), so the README can name them.
PARK_CODE, YOUTH_CODE = "PARK24", "UNGA25"
INDICATORS = ("tillit_manniskor", "paverka")

PARK_TITLE = {"sv": "Trygghet i Parken", "en": "Safety in the Park",
              "ar": "الأمان في الحديقة"}
PARK_DESCRIPTION = {
    "sv": "En kväll om hur Stadsparken kan bli en plats där alla känner sig trygga.",
    "en": "An evening on how the town park can become a place where everyone feels safe.",
    "ar": "أمسية حول كيف يمكن أن تصبح حديقة المدينة مكاناً يشعر فيه الجميع بالأمان.",
}
PARK_PROMPTS = [
    {"sv": "Vad skulle få dig att känna dig tryggare i parken?",
     "en": "What would make you feel safer in the park?",
     "ar": "ما الذي يجعلك تشعر بأمان أكثر في الحديقة؟"},
    {"sv": "Vad vill du kunna göra i parken?", "en": "What would you like to do in the park?",
     "ar": "ماذا تود أن تفعل في الحديقة؟"},
]
#: (prompt, language, text, stances of the three camps).
PARK_STATEMENTS = [
    (0, "sv", "Bättre belysning längs gångvägarna.", "+++"),
    (0, "sv", "Kameror vid entréerna.", "+-0"),
    (0, "sv", "Fler vakter på kvällarna.", "+-0"),
    (0, "en", "Close the park at night.", "+--"),
    (0, "ar", "دوريات شرطة أكثر في المساء.", "+-0"),
    (0, "sv", "Ta bort buskagen så att man ser längre.", "+0-"),
    (0, "sv", "Nattvandrare från föreningarna.", "++0"),
    (0, "ar", "إضاءة أفضل قرب الملعب.", "+++"),
    (0, "en", "More people in the park makes it safer than more guards.", "-++"),
    (0, "sv", "Fritidsledare som rör sig i parken.", "0+0"),
    (0, "ar", "مكان آمن للنساء للجلوس والحديث.", "0+0"),
    (0, "sv", "Skyltar på flera språk om vem man kan ringa.", "+++"),
    (0, "en", "Keep the big trees, they make the park calm.", "-0+"),
    (0, "sv", "Rena och öppna toaletter.", "+++"),
    (0, "sv", "Förbjud alkohol i parken.", "+-0"),
    (1, "sv", "En utegym för alla åldrar.", "0++"),
    (1, "sv", "Grillplatser där familjer kan träffas.", "0+0"),
    (1, "ar", "ملعب كرة قدم صغير للشباب.", "-+-"),
    (1, "en", "Free concerts on summer evenings.", "-+-"),
    (1, "sv", "En tyst zon med blommor och fåglar.", "0-+"),
    (1, "sv", "Odlingslotter som grannar sköter tillsammans.", "0++"),
    (1, "ar", "مقاعد في الظل لكبار السن.", "+++"),
    (1, "en", "A skate park near the entrance.", "-+-"),
    (1, "sv", "Låt parken vara som den är, lugn och grön.", "0-+"),
    (1, "sv", "Lekplats för de minsta barnen.", "+++"),
    (1, "ar", "أنشطة رياضية للفتيات.", "0+0"),
    (1, "sv", "Ett kafé som är öppet på kvällarna.", "-+-"),
    (1, "en", "Guided nature walks for newcomers.", "0++"),
    (1, "sv", "Ingen musik efter klockan 22.", "+-+"),
    (1, "sv", "Fler papperskorgar och tätare tömning.", "+++"),
]
NOTES = [
    ("Bord 1", 0, "Belysningen kom upp vid alla bord. Flera ville ha nattvandrare snarare än vakter."),
    ("Bord 1", 1, "Unga vill ha en plats att vara på kvällen; äldre oroar sig för ljud."),
    ("Bord 2", 0, "Kvinnor vid bordet undviker parken efter mörkrets inbrott. Toaletterna är stängda."),
    ("Bord 2", 1, "Förslag: grillplatser och en tyst del med bänkar i skuggan."),
]
#: Statement number (0-based in PARK_STATEMENTS), table, agree, disagree, pass, dots.
PAPER = [(0, "Bord 1", 6, 0, 1, 4), (13, "Bord 1", 5, 1, 0, 2), (21, "Bord 2", 4, 0, 1, 3),
         (8, "Bord 2", 2, 3, 1, 0), (2, None, 1, 2, 0, 0)]
ANSWER = {
    "sv": ("Tack till alla som kom till paviljongen! Belysning, rena toaletter och bänkar i "
           "skuggan fick stöd i alla grupper, och dem börjar vi med i vår. Om kameror och "
           "vakter var ni oeniga: där bjuder vi in till ett nytt samtal i höst.\n"
           "Vi följer upp med trygghetsfrågorna i nästa medborgarenkät."),
    "en": ("Thank you to everyone who came to the pavilion! Lighting, clean toilets and "
           "benches in the shade had support in every group, and we start with them this "
           "spring. You disagreed on cameras and guards: we will invite you to a new "
           "conversation about that in the autumn.\n"
           "We follow up with the safety questions in the next residents' survey."),
    "ar": ("شكراً لكل من حضر إلى الجناح! حظيت الإضاءة والمراحيض النظيفة والمقاعد في الظل "
           "بتأييد جميع المجموعات، وسنبدأ بها هذا الربيع. اختلفتم حول الكاميرات والحراس: "
           "سندعوكم إلى حوار جديد حول ذلك في الخريف.\n"
           "سنتابع ذلك بأسئلة الأمان في الاستبيان القادم للسكان."),
}
ACTIONS = [
    ({"sv": "Ny belysning längs gångvägarna", "en": "New lighting along the paths",
      "ar": "إضاءة جديدة على طول الممرات"}, ActionStatus.started),
    ({"sv": "Toaletterna öppna till klockan 22", "en": "Toilets open until 10 pm",
      "ar": "المراحيض مفتوحة حتى الساعة العاشرة مساءً"}, ActionStatus.done),
    ({"sv": "Bänkar i skuggan vid lekplatsen", "en": "Benches in the shade by the playground",
      "ar": "مقاعد في الظل قرب ملعب الأطفال"}, ActionStatus.planned),
]

YOUTH_TITLE = {"sv": "Ungas fritid", "en": "Young people's free time",
               "ar": "أوقات فراغ الشباب"}
YOUTH_DESCRIPTION = {
    "sv": "Vad vill du göra efter skolan? Skriv och rösta, det tar fem minuter.",
    "en": "What do you want to do after school? Write and vote, it takes five minutes.",
    "ar": "ماذا تريد أن تفعل بعد المدرسة؟ اكتب وصوّت، يستغرق الأمر خمس دقائق.",
}
YOUTH_PROMPT = {"sv": "Vad vill du kunna göra på fritiden?",
                "en": "What would you like to be able to do in your free time?",
                "ar": "ماذا تود أن تفعل في وقت فراغك؟"}
YOUTH_STATEMENTS = [("sv", "Fritidsgården borde vara öppen på helgerna."),
                    ("sv", "Gratis busskort till aktiviteter."),
                    ("en", "A music studio where we can record."),
                    ("ar", "نادٍ رياضي للفتيات فقط.")]


def _code(wanted: str) -> str:
    taken = db.session.scalar(select(Event.id).where(Event.join_code == wanted))
    return services.new_join_code() if taken else wanted


def _event(organisation: Organisation, facilitator: User, code: str, **fields) -> Event:
    event = services.create_event(
        organisation.id, facilitator.id, moderation=Moderation.post,
        statement_max_length=280, dot_points=5, online_url="", **fields)
    event.join_code = _code(code)
    return event


def _device(event: Event, number: int) -> str:
    return queries.device_hash(f"demo:{event.join_code}:{number}", event.id)


def _participants(event: Event, rng: np.random.Generator) -> tuple[list[Participant], np.ndarray]:
    """The room: languages, camps and an anonymous check-in for most."""
    categories = queries.checkin_categories(event.organisation_id)
    languages = rng.choice(list(LANGUAGE_SHARES), size=PARTICIPANTS,
                           p=list(LANGUAGE_SHARES.values()))
    camps = rng.choice(len(CAMPS), size=PARTICIPANTS, p=CAMPS)
    checked_in = rng.random(PARTICIPANTS) < 0.7
    joined = event.starts_at or utcnow()
    people = []
    for n in range(PARTICIPANTS):
        person = Participant(event_id=event.id, device_hash=_device(event, n),
                             language=str(languages[n]),
                             consent_at=joined + timedelta(minutes=int(rng.integers(0, 30))))
        if checked_in[n]:
            for name in ("age_group", "gender", "born", "district"):
                if categories[name]:
                    setattr(person, name, str(rng.choice(categories[name])))
            person.checked_in_at = person.consent_at + timedelta(minutes=2)
        people.append(person)
    db.session.add_all(people)
    db.session.flush()
    return people, camps


def _statements(event: Event, prompts: list[Prompt], people: list[Participant],
                camps: np.ndarray, rng: np.random.Generator) -> list[Statement]:
    """The park statements: most from a participant of a camp that backs them, some on paper."""
    statements = []
    for number, (prompt, language, text, stances) in enumerate(PARK_STATEMENTS):
        backers = [p for p, camp in zip(people, camps, strict=True)
                   if p.language == language and stances[camp] == "+"]
        on_paper = number % 5 == 4 or not backers
        author = None if on_paper else backers[int(rng.integers(len(backers)))]
        statements.append(Statement(
            event_id=event.id, prompt_id=prompts[prompt].id, text=text,
            language=language, status=StatementStatus.visible,
            participant_id=author.id if author else None,
            source=StatementSource.paper if on_paper else StatementSource.web))
    db.session.add_all(statements)
    db.session.flush()
    return statements


def _votes(people: list[Participant], camps: np.ndarray, statements: list[Statement],
           rng: np.random.Generator) -> int:
    """Each participant sees about four in five statements and votes as their camp leans."""
    votes, dots = [], []
    for person, camp in zip(people, camps, strict=True):
        liked = []
        for statement, (_, _, _, stances) in zip(statements, PARK_STATEMENTS, strict=True):
            seen = rng.random() < 0.8
            value = int(rng.choice([1, -1, 0], p=STANCES[stances[camp]]))
            if not seen or statement.participant_id == person.id:
                continue
            votes.append(Vote(participant_id=person.id, statement_id=statement.id, value=value))
            if value == 1 and stances[camp] == "+":
                liked.append(statement.id)
        if liked and rng.random() < 0.5:
            chosen = rng.choice(liked, size=min(3, len(liked)), replace=False)
            points = [3, 1, 1][:len(chosen)]
            dots += [DotAllocation(participant_id=person.id, statement_id=int(s), points=p)
                     for s, p in zip(chosen, points, strict=True)]
    db.session.add_all(votes + dots)
    db.session.flush()
    return len(votes)


def _tables(event: Event, prompts: list[Prompt], statements: list[Statement],
            facilitator: User) -> None:
    groups = {}
    for name in dict.fromkeys(n for n, _, _ in NOTES):
        groups[name] = services.add_table_group(event, name)
    for name, prompt, text in NOTES:
        services.add_table_note(groups[name], prompts[prompt], text, facilitator.id)
    for number, table, agree, disagree, passed, dots in PAPER:
        services.record_paper_tally(statements[number], groups.get(table), facilitator.id,
                                      agree=agree, disagree=disagree, passed=passed, dots=dots)


def load_park(organisation: Organisation, facilitator: User) -> tuple[Event, int]:
    """The published evening in the park; returns it and its number of device votes."""
    rng = np.random.default_rng(SEED)
    start = (utcnow() - timedelta(days=21)).replace(hour=16, minute=0, second=0, microsecond=0)
    event = _event(organisation, facilitator, PARK_CODE, title=PARK_TITLE,
                   description=PARK_DESCRIPTION, languages=["sv", "en", "ar"],
                   starts_at=start, ends_at=start + timedelta(hours=2),
                   place="Stadsparken, paviljongen",
                   target_groups=["boende kring parken", "unga 16–25", "föräldrar"],
                   focus_areas=["inclusion_trust", "influence"])
    prompts = [services.add_prompt(event, text) for text in PARK_PROMPTS]
    people, camps = _participants(event, rng)
    statements = _statements(event, prompts, people, camps, rng)
    votes = _votes(people, camps, statements, rng)
    _tables(event, prompts, statements, facilitator)
    known = {key for key, _ in queries.framework_indicators(event)}
    services.save_response(event, facilitator.id, ANSWER, [k for k in INDICATORS if k in known])
    for text, status in ACTIONS:
        services.add_action(event, text, status)
    event.status = EventStatus.published
    db.session.flush()
    return event, votes


def load_youth(organisation: Organisation, facilitator: User) -> Event:
    """The open event a newcomer can join: one prompt, four statements to vote on."""
    event = _event(organisation, facilitator, YOUTH_CODE, title=YOUTH_TITLE,
                   description=YOUTH_DESCRIPTION, languages=["sv", "en", "ar"],
                   starts_at=None, ends_at=None, place="Fritidsgården Navet",
                   target_groups=["unga 13–19"], focus_areas=["influence"])
    prompt = services.add_prompt(event, YOUTH_PROMPT)
    for language, text in YOUTH_STATEMENTS:
        services.add_staff_statement(event, prompt, text, language,
                                       StatementSource.facilitator)
    event.status = EventStatus.open
    db.session.flush()
    return event


def load_dialog_demo(organisation: Organisation, facilitator: User) -> list[str]:
    """Both demo events; returns the lines `flask demo` prints. Flushes, does not commit."""
    park, votes = load_park(organisation, facilitator)
    youth = load_youth(organisation, facilitator)
    groups = queries.opinion_result(park.id)
    return [
        (f"Dialogue: \"{park.title['sv']}\" (published): {PARTICIPANTS} participants, "
         f"{len(PARK_STATEMENTS)} statements, {votes:,} votes, {groups.k} opinion groups. "
         f"What we heard: /d/{park.join_code}/heard"),
        f"Dialogue: \"{youth.title['sv']}\" (open): join with code {youth.join_code} at /d",
    ]
