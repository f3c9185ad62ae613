"""Facts shared by several stages that are no one stage's own.

What belongs here: rules of the outside world that the returns, linkage, workforce and the
synthetic generator all rely on, written once. The NHS number and UPN check characters
(``identifiers``), the collection year and census days (``years``), the forename knowledge
linkage folds names with (``names``) and the ``Failure`` a validator reports (``failure``).
Nothing here imports a stage: stages import the core, never the other way round.
"""
