"""The demo's action plans: a second framework, four units, fifteen actions with a year of
status history, and a unit reporter for the social committee.

Called by `surveys.demo.load_demo` after the follow-up and the dialogue demo are loaded, so
the default framework, its indicators and the dialogue events exist.
"""

from __future__ import annotations

from datetime import timedelta

from surveys.actions import services
from surveys.actions.links import KINDS
from surveys.actions.models import ActionStatus, UnitKind
from surveys.core.roles import Role
from surveys.core.time import utcnow
from surveys.followup import services as followup_services
from surveys.followup.queries import framework_of

#: The social sustainability programme: goals three deep, reusing the strategy's indicators.
PROGRAMME = {
    "title": {"sv": "Program för social hållbarhet 2026–2030",
              "en": "Social sustainability programme 2026–2030",
              "ar": "برنامج الاستدامة الاجتماعية 2026–2030"},
    "focus_areas": [
        {"key": "goda_livsvillkor", "title": {"sv": "Goda och jämlika livsvillkor",
                                              "en": "Good and equal living conditions",
                                              "ar": "ظروف معيشية جيدة ومتساوية"},
         "goals": [
             {"title": {"sv": "Fler i egen försörjning", "en": "More people support themselves",
                        "ar": "المزيد من الناس يعيلون أنفسهم"},
              "indicators": [{"key": "forvarvsfrekvens_utrikes"}],
              "subgoals": [
                  {"title": {"sv": "Unga vuxna i arbete eller studier",
                             "en": "Young adults in work or study",
                             "ar": "الشباب في العمل أو الدراسة"},
                   "subgoals": [{"title": {"sv": "Feriejobb för alla 16–19-åringar som söker",
                                           "en": "Summer jobs for every 16–19-year-old who "
                                                 "applies",
                                           "ar": "وظائف صيفية لكل من يتقدم من سن 16 إلى 19"}}]},
              ]},
             {"title": {"sv": "Jämlik hälsa", "en": "Equal health", "ar": "صحة متساوية"},
              "indicators": [{"key": "tillit_vard"}]},
         ]},
        {"key": "trygghet_gemenskap", "title": {"sv": "Trygghet och gemenskap",
                                                "en": "Safety and community",
                                                "ar": "الأمان والمجتمع"},
         "goals": [
             {"title": {"sv": "Levande mötesplatser i alla stadsdelar",
                        "en": "Lively meeting places in every district",
                        "ar": "أماكن لقاء نابضة بالحياة في كل حي"},
              "indicators": [{"key": "grannar_hjalps_at"}, {"key": "tillit_manniskor"}]},
         ]},
    ],
}

UNITS = [
    ("Socialnämnden", UnitKind.committee),
    ("Kultur- och fritidsnämnden", UnitKind.committee),
    ("Arbetsmarknadsförvaltningen", UnitKind.administration),
    ("Exempelbyhem AB", UnitKind.company),
]

#: (unit, Swedish title, English title, goals by (framework, Swedish goal title),
#:  effect indicator keys, start (days ago), length in days or None,
#:  [(days ago, status, comment), ...], answers a dialogue event)
ACTIONS = [
    (0, "Samhällsorientering på modersmål", "Civic orientation in the mother tongue",
     ["Tillit till samhällets institutioner"], ["tillit_kommun", "tillit_institutioner"],
     340, 720, [(330, "started", "Första kursen i gång på arabiska och somaliska."),
                (120, "started", "Tigrinja tillagt; 84 deltagare hittills.")], False),
    (0, "Brobyggare i socialtjänsten", "Bridge builders in social services",
     ["Alla känner tillhörighet och möts med respekt"], ["tillhorighet_kommun"],
     300, 365, [(280, "started", "Två brobyggare anställda."),
                (60, "done", "Utvärderad: fler familjer söker stöd tidigt.")], False),
    (0, "Familjecentral i Norrby", "Family centre in Norrby",
     ["Jämlik hälsa"], ["tillit_vard"], 200, None,
     [(150, "started", "Lokal klar, öppet tre dagar i veckan.")], False),
    (0, "Uppsökande hälsoinformation", "Outreach health information",
     ["Jämlik tillgång till vård"], ["tillit_vard"], 180, 240,
     [(170, "started", ""), (20, "stopped", "Pausad: regionen tar över uppdraget.")], False),
    (1, "Mötesplats i parken", "Meeting place in the park",
     ["Levande mötesplatser i alla stadsdelar"], ["grannar_hjalps_at"],
     250, 500, [(200, "started", "Belysning och bänkar på plats efter medborgardialogen.")],
     True),
    (1, "Öppen idrottshall på fredagskvällar", "Open sports hall on Friday evenings",
     ["Trygga bostadsområden där grannar möts"], ["tillhorighet_omrade"],
     330, None, [(320, "started", "Cirka 60 unga varje fredag.")], False),
    (1, "Bibliotekets språkcaféer", "Language cafés at the library",
     ["En skola som ger alla barn samma möjligheter"], ["tillit_skola"],
     360, 365, [(350, "started", ""), (5, "done", ("Tolv caféer per termin, fortsätter i "
                                                  "ordinarie verksamhet."))], False),
    (1, "Kulturskola utan avgift", "Arts school without fees",
     ["Alla känner tillhörighet och möts med respekt"], ["tillhorighet_kommun"],
     90, 730, [], False),
    (2, "Feriejobb för unga", "Summer jobs for young people",
     ["Feriejobb för alla 16–19-åringar som söker"], ["forvarvsfrekvens_utrikes"],
     330, 120, [(300, "started", "410 platser."), (200, "done", "398 unga fick feriejobb.")],
     False),
    (2, "Språkpraktik i kommunens verksamheter", "Language internships in municipal services",
     ["Lika möjligheter till arbete oavsett bakgrund"], ["forvarvsfrekvens_utrikes"],
     270, 540, [(260, "started", "35 praktikplatser."), (90, "started", ("Halvtid: 12 har "
                                                                       "fått anställning."))],
     False),
    (2, "Validering av utländsk utbildning", "Recognition of foreign qualifications",
     ["Fler i egen försörjning"], ["forvarvsfrekvens_utrikes"], 150, 365,
     [(140, "started", "")], False),
    (2, "Mentorprogram med lokala företag", "Mentoring with local businesses",
     ["Unga vuxna i arbete eller studier"], ["forvarvsfrekvens_utrikes"], 60, 300, [], False),
    (3, "Trygghetsvandringar med hyresgäster", "Safety walks with tenants",
     ["Trygga bostadsområden där grannar möts"], ["grannar_hjalps_at", "tillhorighet_omrade"],
     320, 365, [(310, "started", "Första vandringen i Södra."),
                (30, "done", "Åtgärdslista klar: belysning, buskar, porttelefoner.")], True),
    (3, "Gårdsfester och grannträffar", "Courtyard parties and neighbour meetings",
     ["Levande mötesplatser i alla stadsdelar"], ["grannar_hjalps_at"],
     210, None, [(200, "started", "Fyra gårdar i år.")], False),
    (3, "Boinflytande på fler språk", "Tenant influence in more languages",
     ["Alla invånare har möjlighet att påverka"], ["paverka", "medborgardialog"],
     120, 365, [(100, "stopped", "Ersatt av kommunens gemensamma dialogplattform.")], False),
]


def load_actions_demo(organisation, users: dict) -> list[str]:
    """The second framework, units, actions with their history; lines to print."""
    default = framework_of(organisation.id)
    programme = followup_services.create_from_template(organisation, PROGRAMME)
    # the programme counts the same surveys as its waves and has its own public page
    programme.published = True
    for wave in default.waves:
        followup_services.set_wave(programme, wave.survey, wave.year)
    goals = {g.title["sv"]: g for f in (default, programme) for a in f.focus_areas
             for g in a.goals}
    indicators = {i.key: i for i in default.indicators}
    units = [services.create_unit(organisation.id, name, kind) for name, kind in UNITS]
    services.set_reporters(units[0], [users[Role.unit_reporter]])
    events = KINDS["dialogue_event"].choices(organisation.id) if "dialogue_event" in KINDS \
        else []
    today = utcnow().date()
    analyst = users[Role.analyst]
    for unit, sv, en, goal_titles, keys, start, length, history, answers in ACTIONS:
        starts_on = today - timedelta(days=start)
        action = services.create_action(
            organisation.id, analyst, title={"sv": sv, "en": en}, description={},
            unit=units[unit], contact_name="Kim Kontakt", contact="kim.kontakt@exempelby.se",
            starts_on=starts_on,
            ends_on=starts_on + timedelta(days=length) if length else None,
            goals=[goals[t] for t in goal_titles], indicators=[indicators[k] for k in keys],
            links={"dialogue_event": [events[0][0]]} if answers and events else {})
        action.updates[0].on_date = starts_on - timedelta(days=30)  # planned a month ahead
        for days_ago, status, comment in history:
            services.report_status(action, ActionStatus(status), today - timedelta(days_ago),
                                   comment, users[Role.unit_reporter] if unit == 0 else analyst)
    return [(f"Actions: /actions/ ({len(ACTIONS)} actions of {len(UNITS)} units, a year of "
             "status updates); frameworks: /followup/frameworks/ (two); the programme's "
             f"figures: /followup/f/{programme.slug}/")]
