"""The platform itself as the actor of scheduled work (publishing at a date, expiring, closing).

``core.workflows.transition`` asks a policy whether ``by`` may take an action. Scheduled jobs have
no user, so they pass ``SYSTEM``: it counts as authenticated and active for the engine, has no
primary key (the history row records no actor, shown as 系统), and only policies that
explicitly accept it (``is_system(user)``) let it through.
"""
from __future__ import annotations


class SystemActor:
    pk = None
    id = None
    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_superuser = False
    is_staff = False
    organization_id = None
    region = None
    region_id = None
    username = "system"
    name = "系统"

    def has_role(self, role: str) -> bool:
        return False

    def has_perm(self, perm: str, obj=None) -> bool:
        return False

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return "<SystemActor>"


SYSTEM = SystemActor()


def is_system(user) -> bool:
    return isinstance(user, SystemActor)
