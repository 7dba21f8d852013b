"""Refusing a user an action, the same way on every screen."""

from __future__ import annotations

from textual.widget import Widget

from segtui.core.permissions import CurrentUser, Permission


def allowed(node: Widget, user: CurrentUser, doing: str,
            permission: Permission = Permission.EDIT_SEGMENTS) -> bool:
    """True if `user` may do `doing` (a change; what `permission` covers); else a warning
    says why (never markup: the name is the user's own text)."""
    why_not = user.refusal(doing, permission)
    if why_not is not None:
        node.notify(why_not, severity="warning", markup=False)
    return why_not is None
