"""Opt-out: whether a page lets a bot edit it (``{{bots}}``, ``{{nobots}}``, ``{{Keine Bots}}``)."""

from __future__ import annotations

from ozgwiki.wikitext.parse import _NAMESPACE_RE, _SPACES_RE, _named_values, _parse, template_title

__all__ = ["bot_may_edit"]

_DENY_ALL = frozenset({"nobots", "keine bots"})


def _user_key(name: str) -> str:
    name = _SPACES_RE.sub(" ", name).strip()
    match = _NAMESPACE_RE.match(name)
    if match and match.group(1).casefold() in ("user", "benutzer", "benutzerin"):
        name = match.group(2)
    return name.casefold()


def bot_may_edit(text: str, bot_user: str) -> bool:
    """Whether the page lets ``bot_user`` edit it, by the ``{{bots}}``/``{{nobots}}`` convention.

    * ``{{nobots}}`` and its German alias ``{{Keine Bots}}`` deny every bot (parameters ignored).
    * ``{{bots}}`` without parameters allows every bot.
    * ``{{bots|allow=A,B}}`` allows only the listed bots; ``allow=all`` allows all, ``allow=none``
      denies all.
    * ``{{bots|deny=A,B}}`` denies the listed bots; ``deny=all`` denies all, ``deny=none`` nothing.

    Any denying template wins. Names compare case-insensitively with ``_`` as space and an optional
    ``Benutzer:``/``User:`` prefix; a bot-password login ``User@appid`` counts as ``User`` (``@`` is
    not allowed in user names). Template names are matched case-insensitively - a false match only
    skips a page. Templates inside comments and ``<nowiki>`` do not count.
    """
    me = _user_key(bot_user.split("@", 1)[0])
    for template in _parse(text).filter_templates():
        title = (template_title(str(template.name)) or "").casefold()
        if title in _DENY_ALL:
            return False
        if title != "bots":
            continue
        values = _named_values(template)
        for key, allowed_if_listed in (("allow", True), ("deny", False)):
            if key not in values:
                continue
            listed = {_user_key(n) for n in values[key].split(",")}
            if "all" in listed:
                mentioned = True
            elif "none" in listed:
                mentioned = False
            else:
                mentioned = me in listed
            if mentioned != allowed_if_listed:
                return False
    return True
