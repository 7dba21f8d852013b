"""The hostile text corpus (T4): what users, imports and other tools may put
in a name, a description or a cell. Each entry must show literally wherever it appears."""

from __future__ import annotations

HOSTILE = {
    "closing tag": "50% off [/] deal",
    "markup": "[bold red]Boom[/]",
    "action link": "[@click=app.quit]Quit[/]",
    "variable": "[$accent]accent[/]",
    "ANSI": "\x1b[31mred\x1b[0m text",
    "OSC": "\x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\ and \x1b]0;title\x07",
    "bidi": "admin\u202egnp.exe\u202c",
    "emoji": "Launch 🎉👍🏽 team",
    "long": "L" + "o" * 98 + "g",  # 100 characters
}

# What each entry looks like on screen: control characters as visible stand-ins.
SHOWN = {
    "ANSI": "␛[31mred␛[0m text",
    "OSC": "␛]8;;http://evil.example␛\\link␛]8;;␛\\ and ␛]0;title␇",
    "bidi": "admin\ufffdgnp.exe\ufffd",
}


def shown(key: str) -> str:
    return SHOWN.get(key, HOSTILE[key])
