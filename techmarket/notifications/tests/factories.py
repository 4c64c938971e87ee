from __future__ import annotations

import itertools

from django.contrib.auth import get_user_model

_seq = itertools.count(1)


def make_user(*, username: str | None = None, email: str | None = None, **extra):
    n = next(_seq)
    username = username or f"user{n}"
    email = f"{username}@example.cn" if email is None else email
    return get_user_model().objects.create_user(username=username, email=email, password="x-pass-12345",
                                                name=extra.pop("name", f"用户{n}"), **extra)
