"""The cron job's steps (``ozgwiki run``): the four bots in the order :mod:`ozgwiki.engine.runner` runs them.

The table lives here, not in the runner, because the bots import the engine and the engine never
imports a bot (docs/architecture.md, "Import rules"): the runner gets its steps handed in.
"""

from __future__ import annotations

from ozgwiki.bots import deploy, importer, regenerate, validate
from ozgwiki.engine.runner import Step

#: In the order of :data:`ozgwiki.engine.runner.STEP_NAMES`. The deploy step runs without force: it
#: deploys changed templates but refuses (and reports, exit 1) pages an admin changed by hand.
STEPS: tuple[Step, ...] = (
    Step("deploy", deploy.run),
    Step("import", importer.run),
    Step("validate", validate.run),
    Step("regenerate", regenerate.run, {"mode": "auto"}),
)
