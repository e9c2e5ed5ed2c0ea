"""Stage 5 — the response (应急响应).

From a level and the event's context (time, districts, cause): who commands, member units and
their duties, warnings and who may issue them, and the report clock as clock times
(:func:`build_response`); the documents a duty officer sends (:func:`markdown`).

Modules: ``organisation_file`` and ``organisation_docs`` (the organisation data file, checked),
``organisation`` (the plan's bodies and duties), ``event`` (the respond input), ``from_run`` (what
a simulated run adds: the exercise context), ``plan`` (:class:`ResponsePlan`), ``clock`` (the
report clock), ``build`` (building the plan); the documents: ``text`` (Beijing time, 兆瓦/万户,
clause citations), ``doc_parts`` (the parts every document shares), ``brief``, ``report_doc``
(信息报告), ``warning_doc`` (预警信息), ``aftermath`` (§5), ``documents`` (assembles them).

The names below are this stage's public API (listed in ``__init__.pyi``), loaded on first use.
"""

import lazy_loader as _lazy

__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)
