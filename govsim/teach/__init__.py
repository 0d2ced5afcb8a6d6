"""The interactive teaching page: a community, live, on Mesa's SolaraViz.

The logic is plain Python and testable without a browser:

* :mod:`~govsim.teach.lessons` finds the ready scenarios and their stories;
* :mod:`~govsim.teach.levers` turns parameter declarations into controls;
* :mod:`~govsim.teach.session` steps a policy run and its baseline together
  and exports the settings as a scenario file;
* :mod:`~govsim.teach.figures` draws what the page shows.

:mod:`~govsim.teach.app` is the Solara page and :mod:`~govsim.teach.server`
serves it; only those two (and the CLI) import solara.
"""
