"""Every resident page passes axe-core (WCAG 2.1 A and AA) in every language, shows its
language and direction right, keeps touch targets large and survives 200% text.

Swedish and Arabic (one language each way) are checked at 360 and 1280 px; the other
languages share their templates and are checked at the phone's 360 px.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from surveys.core.i18n import LANGUAGES
from surveys.core.time import utcnow
from surveys.extensions import db
from surveys.survey.definition import load_template
from surveys.survey.models import Survey, SurveyStatus
from tests.support.browser import AXE_VIOLATIONS, SCREENS, WCAG_21_AA, at_width, with_axe
from tests.support.frames import make_sample
from tests.support.surveys import small_definition

pytestmark = pytest.mark.browser

WIDTHS = tuple(SCREENS)  # the phone's first
#: Languages checked at both widths; the others at the first width only.
BOTH_WIDTHS = ("sv", "ar")
TEMPLATE_LANGUAGES = load_template("tillit-och-delaktighet")["languages"]

#: Text nodes (of four letters or more) that are not written, at least partly, in the script
#: of the language marked on them, or whose direction is not that language's: so an English
#: sentence inside lang="ar" is returned, "الوسط (Centrum)" is not. `expected` maps a
#: language code to its script and direction; a code not in it is returned too. The check
#: runs in the page, so only the failures cross to Python (the largest page has 1,300 texts).
BADLY_MARKED_TEXTS = r"""expected => {
  const scripts = {arab: /[\u0600-\u06FF]/, ethi: /[\u1200-\u137F]/, cyrl: /[\u0400-\u04FF]/,
                   latn: /[A-Za-zÅÄÖåäöÉé]/};
  const letters = /[\u0600-\u06FF\u1200-\u137F\u0400-\u04FFA-Za-zÅÄÖåäöÉé]/g;
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement, text = node.textContent;
    if (!el || el.closest('script,style,[lang=zxx]') || !el.getClientRects().length) continue;
    if ((text.match(letters) || []).length < 4) continue;
    const langEl = el.closest('[lang]'), dirEl = el.closest('[dir]');
    const lang = langEl ? langEl.getAttribute('lang') : '';
    const dir = dirEl ? dirEl.getAttribute('dir') : 'ltr';
    const want = expected[lang.split('-')[0]];
    if (!want || !scripts[want.script].test(text) || dir !== want.dir)
      out.push({text: text.trim().slice(0, 40), lang: lang, dir: dir});
  }
  return out;
}"""
SCRIPT_OF = {"ar": "arab", "fa": "arab", "ti": "ethi", "uk": "cyrl", "sv": "latn", "en": "latn",
             "so": "latn"}
EXPECTED_SCRIPTS = {code: {"script": script, "dir": LANGUAGES[code].direction}
                    for code, script in SCRIPT_OF.items()}

#: Interactive elements smaller than 44 x 44 px, other than links inside running text.
SMALL_TARGETS = """() => [...document.querySelectorAll(
    'button, a, label.choice, input[type=text], input[type=email], textarea, select')]
  .filter(el => !el.closest('p, li.inline, td') || el.matches('button, label.choice'))
  .filter(el => el.getClientRects().length)
  .map(el => ({el: el.outerHTML.slice(0, 80), r: el.getBoundingClientRect()}))
  .filter(x => x.r.width < 44 || x.r.height < 44).map(x => x.el)"""


#: What check_page asserts at one width, read in one round trip to the browser.
PAGE_FACTS = f"""async ({{tags, expected}}) => ({{
  lang: document.documentElement.getAttribute('lang'),
  dir: document.documentElement.getAttribute('dir'),
  violations: await ({AXE_VIOLATIONS})(tags),
  smallTargets: ({SMALL_TARGETS})(),
  badlyMarkedTexts: ({BADLY_MARKED_TEXTS})(expected),
}})"""

#: Text enlarged to 200 %: does the page still fit the window's width?
FITS_AT_200_PERCENT = """() => {
  const style = document.createElement('style');
  style.textContent = 'html { font-size: 200% !important; }';
  document.head.append(style);
  const fits = document.documentElement.scrollWidth <= window.innerWidth;
  style.remove();
  return fits;
}"""


def check_page(page, lang: str, where: str) -> None:
    """axe, lang/dir, target size and 200% text, at both widths in BOTH_WIDTHS' languages."""
    expected = LANGUAGES[lang]
    for width in WIDTHS if lang in BOTH_WIDTHS else WIDTHS[:1]:
        at_width(page, width)
        facts = with_axe(page, PAGE_FACTS,
                         {"tags": list(WCAG_21_AA), "expected": EXPECTED_SCRIPTS})
        assert facts["lang"] == expected.tag, where
        assert facts["dir"] == expected.direction, where
        assert facts["violations"] == [], f"{where} at {width}px"
        assert facts["smallTargets"] == [], f"{where} at {width}px"
        assert facts["badlyMarkedTexts"] == [], f"{where} at {width}px"
    # Text enlarged to 200% on a desktop screen: nothing is cut off sideways.
    at_width(page, 1280)
    assert page.evaluate(FITS_AT_200_PERCENT), where
    # back to the phone, so a test goes on from here without loading the page again
    at_width(page, WIDTHS[0])


def go(page, url: str) -> None:
    page.goto(url)


def submit(page) -> None:
    with page.expect_navigation():
        page.locator('button[value="next"], form button.primary').first.click()


@pytest.mark.parametrize("lang", TEMPLATE_LANGUAGES)
def test_every_resident_page_is_accessible_in_every_language(app, live_server, phone, make_org,
                                                            make_survey, lang):
    org = make_org()
    make_survey(org)
    closed_id = make_survey(org, slug="stangd", status=SurveyStatus.closed)
    later_id = make_survey(org, slug="snart")
    with app.app_context():
        db.session.get(Survey, later_id).opens_at = utcnow() + timedelta(days=5)
        db.session.commit()
    base = live_server.url
    go(phone, f"{base}/s/demo?lang={lang}")
    check_page(phone, lang, "start")
    submit(phone)
    answers = {3: ("q_discrimination", "yes"), 5: ("q_born_country", "europe")}
    for n in range(1, 7):
        assert phone.url.endswith(f"/s/demo/p/{n}"), phone.url
        check_page(phone, lang, f"page {n}")
        if n == 5:
            # A year a resident mistypes: the error page.
            phone.locator('#q_birth_year').fill("18")
            submit(phone)
            check_page(phone, lang, "errors")
            phone.locator('#q_birth_year').fill("1980")
        if n in answers:
            name, value = answers[n]
            phone.locator(f'[name="{name}"][value="{value}"]').check()
        submit(phone)
    assert "/thanks" in phone.url
    check_page(phone, lang, "thank you")
    go(phone, f"{base}/s/demo/resume?lang={lang}")
    check_page(phone, lang, "resume")
    phone.locator("#code").fill("WRONG-123")
    submit(phone)
    check_page(phone, lang, "resume error")
    go(phone, f"{base}/s/stangd?lang={lang}")
    check_page(phone, lang, "closed")
    go(phone, f"{base}/s/snart?lang={lang}")
    check_page(phone, lang, "not yet open")
    go(phone, f"{base}/accessibility?from=/s/demo&lang={lang}")
    check_page(phone, LANGUAGES[lang].ui_locale if lang == "sv-ll" else lang, "statement")
    assert closed_id


@pytest.mark.parametrize("lang", TEMPLATE_LANGUAGES)
def test_the_access_code_pages_are_accessible_in_every_language(app, live_server, phone,
                                                                 make_org, make_survey, lang):
    survey_id = make_survey(make_org(), slug="urval")
    code = make_sample(app, survey_id)[0]
    go(phone, f"{live_server.url}/s/urval?c={code}&lang={lang}")
    assert phone.locator("#code").input_value() == code
    check_page(phone, lang, "start with a code")
    go(phone, f"{live_server.url}/s/urval/code?lang={lang}")
    phone.locator("#code").fill("WRONG-CODE1")
    submit(phone)
    check_page(phone, lang, "code error")


@pytest.mark.parametrize("lang", ["sv", "ar"])
def test_every_question_type_is_accessible(live_server, phone, make_org, make_survey, lang):
    make_survey(make_org(), slug="liten", definition=small_definition())
    go(phone, f"{live_server.url}/s/liten?lang={lang}")
    submit(phone)
    check_page(phone, lang, "choice, scale, agreement and matrix")
    submit(phone)  # the required question left empty
    check_page(phone, lang, "required error")
    phone.locator('[name="q_member"][value="yes"]').check()
    submit(phone)
    check_page(phone, lang, "text, number and year")


def test_an_untranslated_survey_text_carries_its_own_language(app, live_server, phone, make_org,
                                                             make_survey):
    survey_id = make_survey(make_org())
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        question = survey.pages[0].questions[0]
        question.text = {k: v for k, v in question.text.items() if k != "ar"}
        db.session.commit()
    go(phone, f"{live_server.url}/s/demo?lang=ar")
    submit(phone)
    fallback = phone.locator('#question-trust_people legend span[lang="sv"][dir="ltr"]')
    assert fallback.count() == 1
    check_page(phone, "ar", "page with an untranslated text")
