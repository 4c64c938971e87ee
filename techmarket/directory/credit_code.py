"""Unified social credit code (统一社会信用代码, GB 32100-2015).

18 characters from a 31-symbol alphabet (digits and capitals without I, O, S, V, Z);
the last one is a check character computed over the first 17 with weights 3^i mod 31.
"""
from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {ch: i for i, ch in enumerate(ALPHABET)}
WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28


def check_character(first17: str) -> str:
    total = sum(VALUES[ch] * w for ch, w in zip(first17, WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def normalize(code: str | None) -> str:
    """Upper-case, strip blanks and full-width characters people paste from Word."""
    if code is None:
        return ""
    code = str(code).strip().upper()
    return "".join(chr(ord(c) - 0xFEE0) if "！" <= c <= "～" else c for c in code).replace(" ", "")


def credit_code_problem(code: str) -> str | None:
    """None if valid, else a Chinese explanation."""
    if len(code) != 18:
        return f"应为 18 位，实际为 {len(code)} 位"
    bad = sorted({c for c in code if c not in VALUES})
    if bad:
        return "含有不允许的字符：" + "、".join(bad) + "（不使用 I、O、S、V、Z）"
    if not code[2:8].isdigit():
        return "第 3–8 位应为行政区划代码数字"
    expected = check_character(code[:17])
    if code[17] != expected:
        return f"校验位错误（第 18 位应为 {expected}）"
    return None


def is_valid(code: str) -> bool:
    return credit_code_problem(normalize(code)) is None
