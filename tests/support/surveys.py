"""Survey definitions and answer sets that tests use."""

from __future__ import annotations


def text(sv: str, en: str | None = None, ar: str | None = None) -> dict:
    """A localized text in Swedish, English and Arabic."""
    return {"sv": sv, "en": en or f"{sv} (en)", "ar": ar or f"{sv} (ar)"}


def small_definition(slug: str = "liten") -> dict:
    """Two pages covering every question type, a required question and a condition."""
    opts = [{"code": "yes", "label": text("Ja", "Yes", "نعم")},
            {"code": "no", "label": text("Nej", "No", "لا")}]
    return {
        "format": "delaktig-survey/1",
        "slug": slug,
        "default_language": "sv",
        "languages": ["sv", "en", "ar"],
        "texts": {"title": text("Liten enkät", "Small survey", "استبيان صغير"),
                  "intro": text("Välkommen", "Welcome", "مرحباً"), "consent": text("Svaren sparas anonymt.", "Answers are stored anonymously.", "تُحفظ الإجابات دون ذكر الهوية."), "thanks": text("Tack", "Thank you", "شكراً")},
        "pages": [
            {"title": text("Sida ett", "Page one", "الصفحة الأولى"), "questions": [
                {"key": "member", "type": "single_choice", "required": True,
                 "text": text("Är du medlem?", "Are you a member?", "هل أنت عضو؟"),
                 "settings": {"options": opts, "dont_know": "prefer_not"}},
                {"key": "sports", "type": "multiple_choice", "text": text("Sporter", "Sports", "الرياضة"),
                 "settings": {"options": [{"code": "run", "label": text("Löpning", "Running", "الجري")},
                                          {"code": "swim", "label": text("Simning", "Swimming", "السباحة")}],
                              "dont_know": "prefer_not"}},
                {"key": "trust", "type": "scale", "text": text("Tillit", "Trust", "الثقة"),
                 "settings": {"min": 0, "max": 10, "min_label": text("Ingen", "None", "لا شيء"),
                              "max_label": text("Full", "Complete", "كاملة"), "dont_know": "dont_know"}},
                {"key": "agree", "type": "agreement", "text": text("Håller med", "Agree", "أوافق"),
                 "settings": {"dont_know": None}},
                {"key": "grid", "type": "matrix", "text": text("Rutnät", "Grid", "جدول"),
                 "settings": {"items": [{"code": "a", "label": text("Parken", "The park", "الحديقة")},
                                        {"code": "b", "label": text("Biblioteket", "The library", "المكتبة")}],
                              "options": [{"code": "1", "label": text("Lite", "A little", "قليلاً")},
                                          {"code": "2", "label": text("Mycket", "A lot", "كثيراً")}],
                              "dont_know": None}},
            ]},
            {"title": text("Sida två", "Page two", "الصفحة الثانية"), "questions": [
                {"key": "why", "type": "short_text", "text": text("Varför?", "Why?", "لماذا؟"),
                 "condition": {"question": "member", "values": ["yes"]},
                 "settings": {"max_length": 50}},
                {"key": "people", "type": "number", "text": text("Antal personer", "Number of people", "عدد الأشخاص"),
                 "settings": {"min": 1, "max": 20, "integer": True}},
                {"key": "comment", "type": "long_text", "text": text("Kommentar", "Comment", "تعليق"),
                 "settings": {"max_length": 5000}},
                {"key": "born", "type": "year_of_birth", "text": text("Födelseår", "Year of birth", "سنة الميلاد"),
                 "settings": {"min_age": 16, "max_age": 110, "dont_know": "prefer_not"}},
            ]},
        ],
    }


#: Form data that answers each page of the template "Tillit och delaktighet".
TEMPLATE_ANSWERS = [
    {"q_trust_people": "7", "q_trust_kommun": "6", "q_trust_polis": "8", "q_trust_vard": "dk",
     "q_trust_skola": "5"},
    {"q_belong_neighbourhood": "4", "q_belong_municipality": "5", "q_neighbours_help": "3",
     "q_group_distance": "6"},
    {"q_influence": "4", "q_contacted_municipality": "yes", "q_citizen_dialogue": "no",
     "q_voted_municipal": "yes", "q_discrimination": "yes"},
    {"q_discrimination_grounds": ["ethnicity", "religion"], "q_other_comments": "Fler parkbänkar."},
    {"q_birth_year": "1984", "q_gender": "woman", "q_born_country": "outside_europe"},
    {"q_years_in_sweden": "10_19", "q_district": "soder", "q_education": "post_secondary_long",
     "q_employment": "employed"},
]

#: The values those answers are stored as.
TEMPLATE_VALUES = {
    "trust_people": 7, "trust_kommun": 6, "trust_polis": 8, "trust_vard": "dk", "trust_skola": 5,
    "belong_neighbourhood": 4, "belong_municipality": 5, "neighbours_help": 3,
    "group_distance": 6, "influence": 4, "contacted_municipality": "yes",
    "citizen_dialogue": "no", "voted_municipal": "yes", "discrimination": "yes",
    "discrimination_grounds": ["ethnicity", "religion"], "other_comments": "Fler parkbänkar.",
    "birth_year": 1984, "gender": "woman", "born_country": "outside_europe",
    "years_in_sweden": "10_19", "district": "soder", "education": "post_secondary_long",
    "employment": "employed",
}
