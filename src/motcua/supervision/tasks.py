from __future__ import annotations

from django_tasks import task

from .rollup import catch_up


@task()
def indicators_catch_up_task() -> dict[str, int]:
    """Enqueued by `motcua scheduler` every round: fold the dossiers whose events came since."""
    done = catch_up()
    return {"events": done.events, "folded": done.folded}
