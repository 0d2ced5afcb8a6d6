"""Classroom mode (``govsim teach --classroom``): a page per student, and the teacher's dashboard.

Every browser tab at ``/`` is a student with a model of its own: one urban
community of 4,000 (:data:`ONE_COMMUNITY`), small enough for thirty to step
at once on a classroom laptop (``benchmarks/bench_classroom.py``). The
teacher's page at ``/teacher`` lists every student's lesson, lever values,
week and outcomes (coverage, trust, workload) side by side, and can restart
every student or send them all a lesson.

What the pages share is the :class:`Registry`: one small record per student
(plain values, never the model) behind a lock, in the server process. A
student's page writes its record after each change; the teacher's page and
the students' pages read it on a timer, so neither side reaches into another
tab's Solara state. Solara app: ``govsim.teach.classroom`` (its ``routes``).
"""

from __future__ import annotations

import asyncio
import html
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import solara
import solara.lab

from govsim.i18n import metric_label, text
from govsim.teach import app
from govsim.teach.config import settings
from govsim.teach.views import format_number, lang

#: Each student's county: one urban community of 4,000 (a street with one community).
ONE_COMMUNITY = {"population.residents": 4000, "population.urban_share": 1.0,
                 "hierarchy.communities_per_township": 1}
#: The outcomes the teacher sees for each student.
OUTCOMES = ("coverage", "trust", "workload")
#: Seconds between a page's looks at the registry.
POLL_SECONDS = 1.0
#: A student page not heard from for this long is gone (a closed tab says nothing).
GONE_SECONDS = 5.0


@dataclass(frozen=True)
class Student:
    """What the teacher sees of one student's page."""

    key: str
    lesson: str = ""
    levers: dict[str, Any] = field(default_factory=dict)
    week: int = 0
    outcomes: dict[str, float] = field(default_factory=dict)
    seen: float = 0.0


@dataclass(frozen=True)
class Order:
    """The teacher's last instruction: ``number`` grows with each; ``lesson`` empty means restart."""

    number: int = 0
    lesson: str = ""


class Registry:
    """The students and the teacher's last order, shared by every page of the server (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._students: dict[str, Student] = {}
        self._order = Order()

    def report(self, key: str, model: app.TeachModel) -> None:
        """Record a student's page after a change (its lesson, levers, week and outcomes)."""
        session = model.session
        outcomes = {n.metric: n.policy for n in session.numbers() if n.metric in OUTCOMES}
        student = Student(key, Path(model.lesson).stem, dict(session.overrides), session.week, outcomes,
                          time.time())
        with self._lock:
            self._students[key] = student

    def alive(self, key: str) -> None:
        """A student's page is still open (called on its timer)."""
        with self._lock:
            if key in self._students:
                self._students[key] = replace(self._students[key], seen=time.time())

    def students(self) -> list[Student]:
        """Every open student page's record, oldest first; pages gone silent are forgotten."""
        now = time.time()
        with self._lock:
            self._students = {k: s for k, s in self._students.items() if now - s.seen < GONE_SECONDS}
            return list(self._students.values())

    def order(self) -> Order:
        """The teacher's last order."""
        with self._lock:
            return self._order

    def send(self, lesson: str = "") -> Order:
        """A new order to every student: open ``lesson`` (or, empty, restart where they are)."""
        with self._lock:
            self._order = replace(self._order, number=self._order.number + 1, lesson=lesson)
            return self._order


REGISTRY = Registry()


def obey(order: Order, seen: int) -> bool:
    """Carry out the teacher's order in this student's tab, if it is new; whether it was."""
    if order.number <= seen:
        return False
    if order.lesson:
        app.lesson_name.set(order.lesson)
    app.pending.set({})
    app.restarts.set(app.restarts.value + 1)
    return True


@solara.component
def StudentPage() -> None:
    """A student's page: the teaching page on one community, reporting to the registry."""
    key = solara.get_kernel_id()
    seen = solara.use_ref(REGISTRY.order().number)  # an order given before the page opened is not for it

    async def listen() -> None:
        while True:
            await asyncio.sleep(POLL_SECONDS)
            REGISTRY.alive(key)
            order = REGISTRY.order()
            if obey(order, seen.current):
                seen.current = order.number

    solara.lab.use_task(listen, dependencies=[], prefer_threaded=False)
    conf = settings()
    lessons, broken = app.catalogue(conf.lessons_dir, conf.lesson)
    app.Lessons(lessons, broken, conf.export_dir, overrides=ONE_COMMUNITY,
                on_model=lambda model: REGISTRY.report(key, model))


@solara.component
def TeacherPage() -> None:
    """Every student side by side, with restart-all and send-a-lesson."""
    tick = solara.use_reactive(0)

    async def refresh() -> None:
        while True:
            await asyncio.sleep(POLL_SECONDS)
            tick.set(tick.value + 1)

    solara.lab.use_task(refresh, dependencies=[], prefer_threaded=False)
    conf = settings()
    lessons, _ = app.catalogue(conf.lessons_dir, conf.lesson)
    current = lang.value
    by_title = {lesson.title(current): name for name, lesson in lessons.items()}
    chosen = solara.use_reactive(next(iter(by_title)))
    solara.Title(text("teach.teacher", current))
    solara.AppBarTitle(text("teach.teacher", current))
    with solara.Row(gap="12px", style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Button(text("teach.restart_all", current), on_click=lambda: REGISTRY.send(""),
                      color="primary", classes=["govsim-restart-all"])
        solara.Select(text("teach.lesson", current), value=chosen.value, values=list(by_title),
                      on_value=chosen.set, classes=["govsim-broadcast-lesson"])
        solara.Button(text("teach.broadcast", current), color="primary", classes=["govsim-broadcast"],
                      on_click=lambda: REGISTRY.send(by_title[chosen.value]))
    solara.HTML(tag="div", unsafe_innerHTML=students_html(REGISTRY.students(), lessons, current),
                classes=["govsim-students"], attributes={"data-tick": str(tick.value)})


def students_html(students: list[Student], lessons: dict[str, Any], current: str) -> str:
    """The dashboard's table: one row per student, their levers and outcomes so far."""
    head = [text("teach.student", current), text("teach.lesson", current), text("teach.levers", current),
            text("teach.week_short", current), *(metric_label(m, current) for m in OUTCOMES)]
    rows = []
    for number, student in enumerate(students, 1):
        lesson = lessons.get(student.lesson)
        levers = "<br>".join(f"<code>{html.escape(k)}</code> = {html.escape(str(v))}"
                             for k, v in sorted(student.levers.items())) or "–"
        cells = [str(number), html.escape(lesson.title(current) if lesson else student.lesson), levers,
                 str(student.week)]
        cells += [format_number(student.outcomes.get(m, float("nan")), "share" if m == "coverage" else "")
                  for m in OUTCOMES]
        rows.append(f'<tr data-student="{html.escape(student.key)}" data-week="{student.week}">'
                    + "".join(f'<td style="padding: 4px 10px">{c}</td>' for c in cells) + "</tr>")
    header = "".join(f'<th style="text-align: left; padding: 4px 10px">{html.escape(h)}</th>' for h in head)
    empty = f"<p>{html.escape(text('teach.no_students', current))}</p>" if not students else ""
    return (f'<table style="font-size: 1.1em; border-collapse: collapse"><tr>{header}</tr>{"".join(rows)}'
            f"</table>{empty}")


@solara.component
def Layout(children: list[Any] | None = None) -> None:
    """Solara's app layout without its route tabs: a student must not see the teacher's page."""
    solara.AppLayout(children=children or [], navigation=False)


routes = [
    solara.Route(path="/", component=StudentPage, layout=Layout),
    solara.Route(path="teacher", component=TeacherPage),
]
