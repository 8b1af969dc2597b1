"""Plugins that make ac_learned's methods available inside other continuation programs.

:mod:`ac_learned.hosts.ana_cont`
    ``method="rlista"``, ``method="rlista+"`` and ``model="rlista"`` for
    ana_cont 1.1.2; public names re-exported by :mod:`ac_learned.ana_cont`.

Nothing here is imported by ``import ac_learned``: a host program is only
touched when its plugin module is imported and, for in-place registration,
when ``register()`` is called.
"""
