"""Application services: one keyword-only function per mutation, run in one ``UnitOfWork``.

An action takes a typed command (parsed and checked by a pure domain step), reads and writes
through ``db.queries``, applies the rules of ``gateway.domain``, records audit events and
outgoing mail on the unit, and returns rows for the resolver to map. No Strawberry here.
"""
