"""The page's own controls: run (step, play, restart) and the levers, in the page's language.

Mesa's SolaraViz draws its controls with fixed English words ("Controls",
"Play Interval", "Use Threads", "Step") and developer settings a class does
not need, so the page draws its own with Solara components, around the same
Mesa model (:class:`govsim.teach.lesson_model.TeachModel`). Every lever shows its
value beside its label, so the class reads what it set; a changed lever is
applied by Restart, which rebuilds the model from week 0.
"""

from __future__ import annotations

import asyncio
import html
from collections.abc import Callable
from typing import Any

import solara
import solara.lab

from govsim.i18n import choice_label, text
from govsim.teach.levers import Control, coerce

#: Seconds between weeks while playing (a week and its redraw take about 0.15 s).
PLAY_SECONDS = 0.4


def shown_value(control: Control, value: Any, lang: str) -> str:
    """A lever's value as the class reads it: yes/no, a choice's name, a number without float noise."""
    if control.kind == "bool":
        return text("teach.on" if value else "teach.off", lang)
    if control.kind == "choice":
        return choice_label(str(value), lang)
    number = coerce(control.kind, value)
    return f"{number:,}" if control.kind == "int" else f"{number:g}"


@solara.component
def RunControls(on_step: Callable[[], None], on_reset: Callable[[], None], running: bool,
                lang: str, playing: solara.Reactive[bool]) -> None:
    """Step, play/pause and restart; play steps every :data:`PLAY_SECONDS` until the run ends."""

    async def play() -> None:
        while playing.value and running:
            await asyncio.sleep(PLAY_SECONDS)
            if playing.value:
                on_step()

    solara.lab.use_task(play, dependencies=[playing.value, running], prefer_threaded=False)
    if not running and playing.value:
        playing.set(False)
    with solara.Row(gap="8px", classes=["govsim-run"]):
        solara.Button(text("teach.step", lang), on_click=on_step, disabled=not running or playing.value,
                      color="primary", classes=["govsim-step"])
        label = text("teach.pause" if playing.value else "teach.play", lang)
        solara.Button(label, on_click=lambda: playing.set(not playing.value), disabled=not running,
                      color="primary", classes=["govsim-play"])

        def reset() -> None:
            playing.set(False)
            on_reset()

        solara.Button(text("teach.reset", lang), on_click=reset, classes=["govsim-reset"])


@solara.component
def LeverPanel(controls: list[Control], values: dict[str, Any], on_change: Callable[[str, Any], None],
               lang: str, pending: bool) -> None:
    """One input per lever, each with its label and current value written out."""
    for control in controls:
        value = values.get(control.path, control.value)
        Lever(control, value, on_change, lang)
    if pending:
        solara.HTML(tag="p", unsafe_innerHTML=html.escape(text("teach.pending", lang)),
                    classes=["govsim-pending"], style="color: #B00020; font-size: 0.95em")


@solara.component
def Lever(control: Control, value: Any, on_change: Callable[[str, Any], None], lang: str) -> None:
    """A slider, switch or chooser; the label wraps rather than being cut off."""
    label = control.label(lang)
    shown = shown_value(control, value, lang)
    with solara.Column(gap="0px", classes=["govsim-lever"], style="margin-bottom: 6px"):
        solara.HTML(tag="div", unsafe_innerHTML=f"{html.escape(label)}：<b class='govsim-value'>"
                    f"{html.escape(shown)}</b>" if lang == "zh" else
                    f"{html.escape(label)}: <b class='govsim-value'>{html.escape(shown)}</b>",
                    attributes={"data-path": control.path}, classes=["govsim-lever-label"],
                    style="white-space: normal; line-height: 1.3; font-size: 0.95em")
        _input(control, value, lambda v: on_change(control.path, v), lang)


def _input(control: Control, value: Any, set_value: Callable[[Any], None], lang: str) -> None:
    if control.kind == "bool":
        solara.Checkbox(label=shown_value(control, True, lang), value=bool(value), on_value=set_value)
    elif control.kind == "choice":
        names = {choice_label(c, lang): c for c in control.choices or ()}
        solara.Select(label="", value=choice_label(str(value), lang), values=list(names),
                      on_value=lambda name: set_value(names[name]))
    elif control.kind == "int":
        solara.SliderInt(label="", value=int(value), min=int(control.low or 0), max=int(control.high or 1),
                         step=int(control.step or 1), on_value=set_value, thumb_label=False)
    else:
        solara.SliderFloat(label="", value=float(value), min=float(control.low or 0.0),
                           max=float(control.high or 1.0), step=float(control.step or 0.01),
                           on_value=set_value, thumb_label=False)
