"""/export: the ledger and the plan as CSV; an exported plan imports again."""

from __future__ import annotations

import csv
import io

from sqlmodel import select

from handlers.export import export_activities
from handlers.i18n import use_locale
from storage.models import Team
from tests.handlers.test_plan_import import run_import
from tests.helpers import say


def test_export_writes_every_activity_with_derived_metrics_and_a_plan_that_imports_again(router, db):
    say(router, '/log talk "Scaling Postgres" @ HighLoad++ 2026-11-20 audience=300 contacts=25 cost=1500 #dba')
    say(router, '/plan add post "Next" due 2026-12-10 @ Habr #backend')
    with db.session() as s:
        team_id = s.exec(select(Team)).one().id
        activities = export_activities(s, team_id=team_id)
        plan = export_activities(s, team_id=team_id, plan_only=True)

    assert activities.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(activities.decode("utf-8-sig"))))
    assert [(r["title"], r["reach"], r["cost_per_contact"], r["tags"]) for r in rows] == [
        ("Scaling Postgres", "300", "60.00", "dba"), ("Next", "0", "", "backend")]
    plan_lines = plan.decode("utf-8-sig").splitlines()
    assert plan_lines == ["id,kind,title,due,owner,outlet,tags,url",
                          "2,publication,Next,2026-12-10,alice,Habr,backend,"]
    result = run_import(router, db, plan)
    assert result.errors == [] and result.imported == 1


def test_a_russian_team_exports_russian_headers_and_its_plan_imports_again(router, db):

    say(router, "/settings language=ru")
    say(router, '/log доклад "Масштабируем Postgres" @ HighLoad++ 20.11.2026 аудитория=300 контакты=25')
    say(router, '/plan add пост "Дальше" due 10.12.2026 @ Хабр #backend')
    with db.session() as s:
        team_id = s.exec(select(Team)).one().id
        with use_locale("ru"):
            activities = export_activities(s, team_id=team_id)
            plan = export_activities(s, team_id=team_id, plan_only=True)

    header = activities.decode("utf-8-sig").splitlines()[0].split(",")
    assert header[:5] == ["номер", "вид", "название", "статус", "дата"]
    assert {"аудитория", "контакты", "охват", "стоимость_контакта"} <= set(header)
    assert plan.decode("utf-8-sig").splitlines()[0] == "номер,вид,название,срок,ответственный,издание,теги,ссылка"
    result = run_import(router, db, plan)
    assert result.errors == [] and result.imported == 1
