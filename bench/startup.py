"""Cold-start figures as ratios to ``python -c "import flask"`` (issue 15, goal 2).

    python bench/startup.py [RUNS] [--tenant SLUG] [--json]

The same as ``rathaus bench startup``; run it in the folder whose instance (database,
``RATHAUS_*`` settings) you want measured: ``rathaus tenants list`` needs a migrated
database. See ``cli/bench.py`` for what is measured and how.
"""

from cli.bench import main

if __name__ == "__main__":
    main()
