"""aiogram routers, one per conversation; thin: parse the update, call flows/ and storage/, render."""

from aiogram import Router

from omzien.handlers import casework, common, fallback, finding, group, reporting


def get_routers() -> list[Router]:
    """Fresh routers for one dispatcher, in the order they get a say; the fallback answers what is left."""
    return [module.make_router() for module in (common, reporting, finding, group, casework, fallback)]
