"""The week's levers: model settings that mechanisms may change while they are in force.

Every week the model rebuilds :class:`Levers` from the scenario's defaults and
then lets each policy in force adjust them (``Policy.week_start``). A policy
that ends simply stops adjusting, so the model returns to its defaults by
construction: no policy has to undo what it did.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from govsim.model.cases import HOME_VISIT, OFFICE, ONLINE, PROXY
from govsim.scenario.declarations import CATEGORIES


@dataclass
class Channels:
    """How residents can file a case this week.

    Attributes:
        online: An online channel exists.
        offline: Offices and grid workers' home visits take cases.
        literacy_threshold: Digital literacy needed to use the online channel.
        elder_boost: Added to the elderly's effective literacy (an elder mode).
        proxy: Staff or volunteers file for those who cannot (代办).
        family_help: Chance that someone who cannot file asks family at hand to file online.
        family_near: Chance that family is at hand to ask (residents under 60).
        family_near_elderly: The same for the elderly (many live apart from their children).
        family_literacy: Weight of the resident's own literacy in asking (see
            :func:`govsim.model.shut_out.family_files`).
        retry: Chance that someone left with no way to file tries again next week.
        grid_help: Chance, at full trust in the community, that someone who cannot file and
            has no family to help asks a grid worker, who files for them (as a staff proxy).
        avoid_online: Per resident, True for those who will not use the online channel
            themselves (e.g. after hearing of a data breach); None when nobody avoids it.
    """

    online: bool
    offline: bool = True
    literacy_threshold: float = 0.5
    elder_boost: float = 0.0
    proxy: bool = False
    family_help: float = 0.0
    family_near: float = 1.0
    family_near_elderly: float = 1.0
    family_literacy: float = 0.0
    grid_help: float = 0.0
    retry: float = 0.0
    avoid_online: np.ndarray | None = None


@dataclass
class Levers:
    """Settings for one week (see the module docstring).

    Attributes:
        channels: How cases can be filed.
        hours_factor: Staff hours of a case per channel relative to office
            (indexed by channel: online, office, home visit, proxy).
        need_multiplier: Multiplier of need rates per (community, category).
        extra_capacity: Hours per (community, category) from volunteers,
            professional mediators or surge teams this week, used before staff.
        category_hours_factor: Multiplier of a case's hours per category (e.g.
            online mediation makes disputes quicker).
        grid_empowerment: Share of the cases that would need the community
            which the grid can now resolve itself (grid management).
        escalation_delay: Weeks a case takes to climb one level below the county.
        bounce_probability: Chance a case reaching the county is first passed
            to the wrong department (推诿), each pass costing the department's delay.
        extra_admin: Admin hours per community added this week.
        data_entry_factor: Multiplier of data-entry hours (integration cuts it).
        reporting_cap: Most hours per community per week on reports and
            inspections (burden reduction); infinite when uncapped.
        task_factor: Multiplier of the admin task hours departments push down
            to each community (burden reduction cuts it).
    """

    channels: Channels
    hours_factor: np.ndarray
    need_multiplier: np.ndarray
    extra_capacity: np.ndarray
    category_hours_factor: np.ndarray
    escalation_delay: int
    grid_empowerment: float = 0.0
    bounce_probability: float = 0.0
    extra_admin: np.ndarray = field(default_factory=lambda: np.zeros(0))
    data_entry_factor: float = 1.0
    reporting_cap: float = np.inf
    task_factor: float = 1.0

    @classmethod
    def defaults(cls, behaviour: dict, communities: int, escalation_delay: int) -> Levers:
        """The scenario's own settings, before any policy."""
        return cls(
            channels=Channels(online=behaviour["online_available"],
                              literacy_threshold=behaviour["online_literacy_threshold"],
                              family_help=behaviour["family_help"], family_near=behaviour["family_near"],
                              family_near_elderly=behaviour["family_near_elderly"],
                              family_literacy=behaviour["family_help_literacy"],
                              grid_help=behaviour["grid_help"], retry=behaviour["shut_out_retry"]),
            hours_factor=np.array([behaviour["online_hours_factor"], 1.0,
                                   behaviour["home_visit_hours_factor"], behaviour["proxy_hours_factor"]]),
            need_multiplier=np.ones((communities, len(CATEGORIES))),
            extra_capacity=np.zeros((communities, len(CATEGORIES))),
            category_hours_factor=np.ones(len(CATEGORIES)),
            escalation_delay=escalation_delay,
            extra_admin=np.zeros(communities),
        )


def can_file_online(channels: Channels, literacy: np.ndarray, elderly: np.ndarray,
                    child: np.ndarray, avoids: np.ndarray | None = None) -> np.ndarray:
    """Who can and will use the online channel unaided: literate enough (with an elder mode's
    boost), or a child, whose carer files; and not avoiding it (``avoids``, per case)."""
    effective = literacy + np.where(elderly, channels.elder_boost, 0.0)
    able = channels.online & ((effective >= channels.literacy_threshold) | child)
    return able if avoids is None else able & ~avoids


def choose_channel(channels: Channels, literacy: np.ndarray, elderly: np.ndarray, child: np.ndarray,
                   home: np.ndarray, family: np.ndarray,
                   grid_chance: np.ndarray | None = None, avoids: np.ndarray | None = None) -> np.ndarray:
    """Channel of each new case; -1 where the resident cannot file at all (excluded).

    Online if it exists and the resident's effective literacy reaches the
    threshold (a child's carer files for the child); else the office or a
    grid worker's home visit (the elderly and disabled) if offline service is
    kept; else a proxy if one is offered; else online where ``family`` is True
    (family files for her: :func:`govsim.model.shut_out.family_files`); else,
    where ``grid_chance`` is given (a uniform draw already compared with
    ``grid_help`` × trust: True if she asks), a grid worker files for her as a
    proxy; else nobody files.
    """
    online = can_file_online(channels, literacy, elderly, child, avoids)
    channel = np.full(literacy.size, -1, dtype=np.int8)
    channel[online] = ONLINE
    rest = ~online
    if channels.offline:
        channel[rest] = np.where(home[rest], HOME_VISIT, OFFICE)
    elif channels.proxy:
        channel[rest] = PROXY
    elif channels.online:
        helped = rest & family
        channel[helped] = ONLINE
        if grid_chance is not None:
            channel[rest & ~helped & grid_chance] = PROXY
    return channel
