"""The gateway database's schema migrations (Alembic), run from code by ``runner``.

``versions/`` holds one file per revision, oldest first: ``0001_initial`` is the schema
as ``metadata.create_all`` built it before migrations existed. ``env.py`` is Alembic's
environment; ``alembic.ini`` at the project root lets developers use the ``alembic`` CLI.
"""
