"""Demo dialogue events: a published evening in the park with its answer, and an open one.

`load_dialog_demo(organisation, facilitator)` adds, to an organisation the survey demo
created, "Trygghet i Parken" (published: ~60 synthetic participants, 30 statements written in
Swedish, Arabic and Somali and translated into every event language, a few translations
still waiting, votes from three opinion camps, dots, paper tallies, table
notes and "what we do") and "Ungas fritid" (open, for a newcomer to join; an event for
children and young people with easy-to-read Swedish texts, 24 check-ins in the age bands
from 10 up, and two statements from under-13s waiting for a moderator). The votes come
from a seeded NumPy generator, so every load gives the same matrix and the same groups.
It flushes; the caller commits.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
from sqlalchemy import select

from dialog import ages, queries, services
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
    StatementTranslation,
    TranslationStatus,
    Vote,
)
from surveys.auth.models import Organisation, User
from surveys.core.time import utcnow
from surveys.extensions import db

SEED = 20261123
PARTICIPANTS = 60
#: Share of participants in each camp: safety first, activities for the young, calm nature.
CAMPS = (0.45, 0.35, 0.20)
LANGUAGE_SHARES = {"sv": 0.5, "en": 0.1, "ar": 0.25, "so": 0.15}
#: The languages of both demo events (Swedish first: the room's main language).
LANGUAGES = ["sv", "en", "ar", "so"]
#: Agree / disagree / pass probabilities for a camp's stance on a statement.
STANCES = {"+": (0.85, 0.05, 0.10), "-": (0.08, 0.82, 0.10), "0": (0.35, 0.30, 0.35)}
#: Wanted join codes (letters the alphabet allows), so the README can name them.
PARK_CODE, YOUTH_CODE = "PARK24", "UNGA25"
INDICATORS = ("tillit_manniskor", "paverka")

PARK_TITLE = {"sv": "Trygghet i Parken", "en": "Safety in the Park",
              "ar": "الأمان في الحديقة", "so": "Ammaanka Beerta"}
PARK_DESCRIPTION = {
    "sv": "En kväll om hur Stadsparken kan bli en plats där alla känner sig trygga.",
    "en": "An evening on how the town park can become a place where everyone feels safe.",
    "ar": "أمسية حول كيف يمكن أن تصبح حديقة المدينة مكاناً يشعر فيه الجميع بالأمان.",
    "so": "Fiid ku saabsan sida beerta magaaladu u noqon karto meel qof walba ammaan ku dareemo.",
}
PARK_PROMPTS = [
    {"sv": "Vad skulle få dig att känna dig tryggare i parken?",
     "en": "What would make you feel safer in the park?",
     "ar": "ما الذي يجعلك تشعر بأمان أكثر في الحديقة؟",
     "so": "Maxaa kaa dhigi lahaa inaad ammaan badan ku dareento beerta?"},
    {"sv": "Vad vill du kunna göra i parken?", "en": "What would you like to do in the park?",
     "ar": "ماذا تود أن تفعل في الحديقة؟",
     "so": "Maxaad jeclaan lahayd inaad ka samayso beerta?"},
]
#: (prompt, the language it was written in, its text in every event language, stances of the
#: three camps). The other languages' texts are approved translations, except WAITING.
PARK_STATEMENTS = [
    (0, "sv", {"sv": "Bättre belysning längs gångvägarna.",
               "en": "Better lighting along the footpaths.",
               "ar": "إضاءة أفضل على طول ممرات المشاة.",
               "so": "Iftiin fiican oo dhinacyada waddooyinka lugta ah."}, "+++"),
    (0, "sv", {"sv": "Kameror vid entréerna.", "en": "Cameras at the entrances.",
               "ar": "كاميرات عند المداخل.",
               "so": "Kamarado ku yaal albaabada laga soo galo."}, "+-0"),
    (0, "sv", {"sv": "Fler vakter på kvällarna.", "en": "More guards in the evenings.",
               "ar": "مزيد من الحراس في المساء.", "so": "Ilaalo badan fiidkii."}, "+-0"),
    (0, "so", {"so": "Xir beerta habeenkii.", "sv": "Stäng parken på natten.",
               "en": "Close the park at night.", "ar": "أغلقوا الحديقة ليلاً."}, "+--"),
    (0, "ar", {"ar": "دوريات شرطة أكثر في المساء.", "sv": "Fler polispatruller på kvällarna.",
               "en": "More police patrols in the evening.",
               "so": "Roondo booliis oo badan fiidkii."}, "+-0"),
    (0, "sv", {"sv": "Ta bort buskagen så att man ser längre.",
               "en": "Remove the bushes so that you can see further.",
               "ar": "أزيلوا الشجيرات حتى يرى المرء أبعد.",
               "so": "Ka saar geedaha yaryar si qofku meel fog u arko."}, "+0-"),
    (0, "sv", {"sv": "Nattvandrare från föreningarna.",
               "en": "Night walkers from the local associations.",
               "ar": "متطوعون من الجمعيات يتجولون ليلاً.",
               "so": "Dad habeenkii socda oo ka socda ururada."}, "++0"),
    (0, "ar", {"ar": "إضاءة أفضل قرب الملعب.", "sv": "Bättre belysning vid bollplanen.",
               "en": "Better lighting near the sports ground.",
               "so": "Iftiin fiican oo u dhow garoonka."}, "+++"),
    (0, "so", {"so": "Dad badan oo beerta jooga ayaa ka ammaan badan ilaalo badan.",
               "sv": "Fler människor i parken gör den tryggare än fler vakter.",
               "en": "More people in the park makes it safer than more guards.",
               "ar": "وجود المزيد من الناس في الحديقة يجعلها أكثر أماناً من المزيد من الحراس."},
     "-++"),
    (0, "sv", {"sv": "Fritidsledare som rör sig i parken.",
               "en": "Youth workers who move around the park.",
               "ar": "قادة أنشطة شبابية يتجولون في الحديقة.",
               "so": "Hoggaamiyeyaal dhallinyaro oo beerta dhex socda."}, "0+0"),
    (0, "ar", {"ar": "مكان آمن للنساء للجلوس والحديث.",
               "sv": "En trygg plats för kvinnor att sitta och prata på.",
               "en": "A safe place for women to sit and talk.",
               "so": "Meel ammaan ah oo haweenku ku fadhiistaan kana sheekaystaan."}, "0+0"),
    (0, "sv", {"sv": "Skyltar på flera språk om vem man kan ringa.",
               "en": "Signs in several languages about who to call.",
               "ar": "لافتات بعدة لغات عمّن يمكن الاتصال به.",
               "so": "Calaamado luqado badan ku qoran oo sheegaya cidda la wacayo."}, "+++"),
    (0, "so", {"so": "Ilaali geedaha waaweyn, waxay beerta ka dhigaan mid deggan.",
               "sv": "Behåll de stora träden, de gör parken lugn.",
               "en": "Keep the big trees, they make the park calm.",
               "ar": "حافظوا على الأشجار الكبيرة، فهي تجعل الحديقة هادئة."}, "-0+"),
    (0, "sv", {"sv": "Rena och öppna toaletter.", "en": "Clean toilets that are open.",
               "ar": "مراحيض نظيفة ومفتوحة.", "so": "Musqulo nadiif ah oo furan."}, "+++"),
    (0, "sv", {"sv": "Förbjud alkohol i parken.", "en": "Ban alcohol in the park.",
               "ar": "منع الكحول في الحديقة.", "so": "Mamnuuc khamriga beerta dhexdeeda."},
     "+-0"),
    (1, "sv", {"sv": "En utegym för alla åldrar.", "en": "An outdoor gym for all ages.",
               "ar": "صالة رياضية في الهواء الطلق لجميع الأعمار.",
               "so": "Jimicsi bannaanka ah oo loogu talagalay da' kasta."}, "0++"),
    (1, "sv", {"sv": "Grillplatser där familjer kan träffas.",
               "en": "Barbecue places where families can meet.",
               "ar": "أماكن للشواء تلتقي فيها العائلات.",
               "so": "Meelo hilib lagu dubto oo qoysasku ku kulmi karaan."}, "0+0"),
    (1, "ar", {"ar": "ملعب كرة قدم صغير للشباب.", "sv": "En liten fotbollsplan för unga.",
               "en": "A small football pitch for young people.",
               "so": "Garoon kubadda cagta oo yar oo dhallinyarada loogu talagalay."}, "-+-"),
    (1, "so", {"so": "Bandhigyo muusig oo bilaash ah fiidadka xagaaga.",
               "sv": "Gratis konserter på sommarkvällarna.",
               "en": "Free concerts on summer evenings.",
               "ar": "حفلات موسيقية مجانية في أمسيات الصيف."}, "-+-"),
    (1, "sv", {"sv": "En tyst zon med blommor och fåglar.",
               "en": "A quiet zone with flowers and birds.",
               "ar": "منطقة هادئة فيها زهور وطيور.",
               "so": "Aag deggan oo ubax iyo shimbiro leh."}, "0-+"),
    (1, "sv", {"sv": "Odlingslotter som grannar sköter tillsammans.",
               "en": "Allotments that neighbours look after together.",
               "ar": "قطع زراعية يعتني بها الجيران معاً.",
               "so": "Beero yaryar oo deriskii wada daryeelaan."}, "0++"),
    (1, "ar", {"ar": "مقاعد في الظل لكبار السن.", "sv": "Bänkar i skuggan för äldre.",
               "en": "Benches in the shade for older people.",
               "so": "Kuraas hooska ku yaal oo loogu talagalay dadka waayeelka ah."}, "+++"),
    (1, "so", {"so": "Barxad skateboard oo u dhow iridda.", "sv": "En skatepark nära entrén.",
               "en": "A skate park near the entrance.", "ar": "حديقة للتزلج قرب المدخل."},
     "-+-"),
    (1, "sv", {"sv": "Låt parken vara som den är, lugn och grön.",
               "en": "Leave the park as it is, calm and green.",
               "ar": "اتركوا الحديقة كما هي، هادئة وخضراء.",
               "so": "Beerta u daa sideeda, deggan oo cagaar ah."}, "0-+"),
    (1, "sv", {"sv": "Lekplats för de minsta barnen.",
               "en": "A playground for the youngest children.",
               "ar": "ملعب للأطفال الصغار.",
               "so": "Goob ciyaareed oo loogu talagalay carruurta ugu yar."}, "+++"),
    (1, "ar", {"ar": "أنشطة رياضية للفتيات.", "sv": "Idrottsaktiviteter för tjejer.",
               "en": "Sports activities for girls.",
               "so": "Hawlo ciyaareed oo gabdhaha loogu talagalay."}, "0+0"),
    (1, "sv", {"sv": "Ett kafé som är öppet på kvällarna.",
               "en": "A café that is open in the evenings.", "ar": "مقهى مفتوح في المساء.",
               "so": "Maqaaxi fiidkii furan."}, "-+-"),
    (1, "so", {"so": "Socod dabiici ah oo hage leh oo loogu talagalay dadka dhowaan yimid.",
               "sv": "Guidade naturpromenader för nyanlända.",
               "en": "Guided nature walks for newcomers.",
               "ar": "جولات في الطبيعة بصحبة مرشد للقادمين الجدد."}, "0++"),
    (1, "sv", {"sv": "Ingen musik efter klockan 22.", "en": "No music after 10 pm.",
               "ar": "لا موسيقى بعد الساعة العاشرة مساءً.",
               "so": "Muusig ma jiro saacadda 22 kadib."}, "+-+"),
    (1, "sv", {"sv": "Fler papperskorgar och tätare tömning.",
               "en": "More litter bins, emptied more often.",
               "ar": "مزيد من سلال المهملات وتفريغها بشكل أكثر تكراراً.",
               "so": "Weel qashin oo badan oo si joogto ah loo faaruqiyo."}, "+++"),
]
#: Translations still waiting for a person, (statement number, language): a machine draft
#: (the text above) for the first two, nothing yet for the last.
WAITING = {(26, "so"): "machine", (28, "so"): "machine", (29, "so"): None}
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
    "so": ("Waad ku mahadsan tihiin dhammaan kuwii yimid hoolka beerta! Iftiinka, musqulo "
           "nadiif ah iyo kuraas hooska ku yaal waxay taageero ka heleen koox kasta, waxaana "
           "ku bilaabaynaa gu'gan. Kamaradaha iyo ilaalada waad isku khilaafteen: waxaan "
           "idinku casuumi doonnaa wadahadal cusub dayrta.\n"
           "Waxaan ku sii raaci doonnaa su'aalaha ammaanka ee sahanka dadweynaha ee xiga."),
}
ACTIONS = [
    ({"sv": "Ny belysning längs gångvägarna", "en": "New lighting along the paths",
      "ar": "إضاءة جديدة على طول الممرات",
      "so": "Iftiin cusub oo dhinacyada waddooyinka ah"}, ActionStatus.started),
    ({"sv": "Toaletterna öppna till klockan 22", "en": "Toilets open until 10 pm",
      "ar": "المراحيض مفتوحة حتى الساعة العاشرة مساءً",
      "so": "Musqulaha oo furan ilaa saacadda 22"}, ActionStatus.done),
    ({"sv": "Bänkar i skuggan vid lekplatsen", "en": "Benches in the shade by the playground",
      "ar": "مقاعد في الظل قرب ملعب الأطفال",
      "so": "Kuraas hoos ah oo u dhow goobta ciyaarta carruurta"}, ActionStatus.planned),
]

YOUTH_TITLE = {"sv": "Ungas fritid", "en": "Young people's free time",
               "ar": "أوقات فراغ الشباب", "so": "Waqtiga firaaqada ee dhallinyarada"}
YOUTH_DESCRIPTION = {
    "sv": "Vad vill du göra efter skolan? Skriv och rösta, det tar fem minuter.",
    "en": "What do you want to do after school? Write and vote, it takes five minutes.",
    "ar": "ماذا تريد أن تفعل بعد المدرسة؟ اكتب وصوّت، يستغرق الأمر خمس دقائق.",
    "so": "Maxaad rabtaa inaad samayso dugsiga kadib? Qor oo codee, waxay qaadanaysaa shan "
          "daqiiqo.",
}
YOUTH_EASY = {"description": "Vad vill du göra efter skolan? Skriv vad du tycker. Rösta på "
                             "vad andra tycker. Det tar fem minuter.",
              "prompt": "Vad vill du göra när du är ledig?"}
#: Check-ins of the open youth event: (age band, gender, languages spoken at home).
YOUTH_CHECKINS = (
    [("10-12", "kvinna", ["sv"])] * 3 + [("10-12", "man", ["ar", "sv"])] * 3
    + [("13-15", "kvinna", ["sv"])] * 4 + [("13-15", "man", ["so", "sv"])] * 3
    + [("13-15", "annat", ["sv", "en"])]
    + [("16-19", "man", ["sv"])] * 3 + [("16-19", "kvinna", ["ar"])] * 3
    + [("16-19", None, ["other", "sv"])] + [(None, None, [])] * 3)
#: Written by two of the 10–12-year-olds: held for a moderator (the event is for young people).
YOUTH_HELD = ["Mer fotboll på skolgården efter skolan!", "Ett ställe att spela spel med kompisar."]
YOUTH_PROMPT = {"sv": "Vad vill du kunna göra på fritiden?",
                "en": "What would you like to be able to do in your free time?",
                "ar": "ماذا تود أن تفعل في وقت فراغك؟",
                "so": "Maxaad jeclaan lahayd inaad samayso waqtigaaga firaaqada?"}
#: (the language it was written in, its text in the languages translated so far).
YOUTH_STATEMENTS = [
    ("sv", {"sv": "Fritidsgården borde vara öppen på helgerna.",
            "en": "The youth centre should be open at weekends.",
            "ar": "يجب أن يكون مركز الشباب مفتوحاً في عطلات نهاية الأسبوع.",
            "so": "Xarunta dhallinyaradu waa inay furnaato maalmaha fasaxa."}),
    ("sv", {"sv": "Gratis busskort till aktiviteter.",
            "en": "Free bus passes to get to activities.",
            "ar": "بطاقات حافلات مجانية للوصول إلى الأنشطة.",
            "so": "Kaarar bas oo bilaash ah oo loogu talagalay hawlaha."}),
    ("so", {"so": "Istuudiyo muusig oo aan ku duubi karno.",
            "sv": "En musikstudio där vi kan spela in.",
            "en": "A music studio where we can record.",
            "ar": "استوديو موسيقى يمكننا التسجيل فيه."}),
    # just written: the Swedish translation is done, English and Somali are coming
    ("ar", {"ar": "نادٍ رياضي للفتيات فقط.", "sv": "En idrottsklubb bara för tjejer."}),
]


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
    """The room: languages, camps and an anonymous check-in for most (adults: 16 and up)."""
    categories = queries.checkin_categories(event)
    categories["age_group"] = [b for b in categories["age_group"] if ages.parse(b)[0] >= 16]
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
            person.home_languages = list(dict.fromkeys([person.language, "sv"]))
            person.checked_in_at = person.consent_at + timedelta(minutes=2)
        people.append(person)
    db.session.add_all(people)
    db.session.flush()
    return people, camps


def _statements(event: Event, prompts: list[Prompt], people: list[Participant],
                camps: np.ndarray, rng: np.random.Generator) -> list[Statement]:
    """The park statements: most from a participant of a camp that backs them, some on paper."""
    statements = []
    for number, (prompt, language, texts, stances) in enumerate(PARK_STATEMENTS):
        backers = [p for p, camp in zip(people, camps, strict=True)
                   if p.language == language and stances[camp] == "+"]
        on_paper = number % 5 == 4 or not backers
        author = None if on_paper else backers[int(rng.integers(len(backers)))]
        statements.append(Statement(
            event_id=event.id, prompt_id=prompts[prompt].id, text=texts[language],
            language=language, status=StatementStatus.visible,
            participant_id=author.id if author else None,
            source=StatementSource.paper if on_paper else StatementSource.web))
    db.session.add_all(statements)
    db.session.flush()
    return statements


def _translations(statements: list[Statement], texts: list[dict[str, str]], translator: User,
                  waiting: dict[tuple[int, str], str | None]) -> None:
    """Approved translations of every statement, but machine drafts or nothing for `waiting`."""
    rows = []
    for number, (statement, versions) in enumerate(zip(statements, texts, strict=True)):
        for language, text in versions.items():
            state = waiting.get((number, language), "approved")
            if language == statement.language or state is None:
                continue
            approved = state == "approved"
            rows.append(StatementTranslation(
                statement_id=statement.id, language=language, text=text,
                status=TranslationStatus.approved if approved else TranslationStatus.machine,
                translator_id=translator.id if approved else None))
    db.session.add_all(rows)
    db.session.flush()


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
                   description=PARK_DESCRIPTION, languages=LANGUAGES,
                   starts_at=start, ends_at=start + timedelta(hours=2),
                   place="Stadsparken, paviljongen",
                   target_groups=["boende kring parken", "unga 16–25", "föräldrar"],
                   focus_areas=["inclusion_trust", "influence"])
    prompts = [services.add_prompt(event, text) for text in PARK_PROMPTS]
    people, camps = _participants(event, rng)
    statements = _statements(event, prompts, people, camps, rng)
    _translations(statements, [texts for _, _, texts, _ in PARK_STATEMENTS], facilitator,
                  WAITING)
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
    """The open event a newcomer can join, for young people: one prompt, four statements to
    vote on, a room of check-ins and two statements from under-13s awaiting a moderator."""
    event = _event(organisation, facilitator, YOUTH_CODE,
                   title=YOUTH_TITLE,
                   description=YOUTH_DESCRIPTION | {"sv-ll": YOUTH_EASY["description"]},
                   languages=LANGUAGES, starts_at=None, ends_at=None,
                   place="Fritidsgården Navet", target_groups=["unga 10–19"],
                   focus_areas=["influence"], for_young_people=True)
    prompt = services.add_prompt(event, YOUTH_PROMPT | {"sv-ll": YOUTH_EASY["prompt"]})
    statements = [services.add_staff_statement(event, prompt, texts[language], language,
                                               StatementSource.facilitator)
                  for language, texts in YOUTH_STATEMENTS]
    _translations(statements, [texts for _, texts in YOUTH_STATEMENTS], facilitator, {})
    event.status = EventStatus.open
    joined = utcnow() - timedelta(minutes=30)
    people = []
    for n, (band, gender, spoken) in enumerate(YOUTH_CHECKINS):
        person = Participant(event_id=event.id, device_hash=_device(event, n),
                             language="ar" if "ar" in spoken else "sv",
                             consent_at=joined + timedelta(minutes=n))
        db.session.add(person)
        db.session.flush()
        services.check_in(person, {"age_group": band, "gender": gender,
                                   "home_languages": spoken})
        people.append(person)
    for person, text in zip(people, YOUTH_HELD, strict=False):  # the first two are 10–12
        services.write_statement(person, prompt.id, text)
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
