"""aiogram routers, one per conversation; thin: parse the update, call flows/ and storage/, render."""

from aiogram import Router

from omzien.handlers import (
    aftercare,
    casework,
    common,
    fallback,
    figures,
    finding,
    group,
    reporting,
    safety,
    steering,
)


def get_routers() -> list[Router]:
    """Fresh routers for one dispatcher, in the order they get a say: words that point to a crisis first,
    the fallback last for what is left."""
    order = (safety, common, figures, reporting, finding, group, casework, aftercare, steering, fallback)
    return [module.make_router() for module in order]
