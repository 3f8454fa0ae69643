"""An organisation's strategy for the framework and action tests: the template framework, a
goal tree three deep, two units (a reporter for the first) and an action of each."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from surveys.actions import services as actions
from surveys.actions.models import UnitKind
from surveys.auth.models import Organisation, User
from surveys.core.roles import Role
from surveys.extensions import db
from surveys.followup import services as followup
from tests.conftest import user_email


def build(app, org: Organisation) -> dict:
    """Create it all in `org` (committed); the ids of what was made."""
    with app.app_context():
        organisation = db.session.get(Organisation, org.id)
        framework = followup.create_from_template(organisation)
        area = framework.focus_areas[0]
        top = followup.add_goal(area, None, "Nivå 1")
        middle = followup.add_goal(area, top, "Nivå 2")
        bottom = followup.add_goal(area, middle, "Nivå 3")
        social = actions.create_unit(org.id, "Socialnämnden", UnitKind.committee)
        housing = actions.create_unit(org.id, "Bostadsbolaget AB", UnitKind.company)
        reporter = db.session.scalar(select(User).where(
            User.email == user_email(org, Role.unit_reporter)))
        actions.set_reporters(social, [reporter])
        trust = next(i for i in framework.indicators if i.key == "tillit_manniskor")
        made = {}
        for name, unit in (("social", social), ("housing", housing)):
            made[name] = actions.create_action(
                org.id, None, title={"sv": f"Åtgärd {name}"}, description={}, unit=unit,
                contact_name="Kim", contact="kim@example.se", starts_on=date(2025, 1, 1),
                ends_on=None, goals=[middle], indicators=[trust], links={})
        db.session.commit()
        return {"framework": framework.id, "area": area.id, "top": top.id,
                "middle": middle.id, "bottom": bottom.id, "social": social.id,
                "housing": housing.id, "social_action": made["social"].id,
                "housing_action": made["housing"].id, "indicator": trust.id}
