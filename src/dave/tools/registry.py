"""The built-in tool sets by name, as agent specs list them (`toolsets = ["files", "shell"]`).

Each factory imports its module only when called, so loading the registry stays cheap. Not for
user-defined tools: those are ToolSets a program builds and passes in itself.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from dave.core.errors import ConfigError
from dave.media.capabilities import providers
from dave.tools.base import ToolSet


def _files() -> ToolSet:
    from dave.tools.files import files_tools

    return files_tools()


def _shell() -> ToolSet:
    from dave.tools.shell import shell_tools

    return shell_tools()


def _web() -> ToolSet:
    from dave.tools.web import web_tools

    return web_tools()


def _agents() -> ToolSet:
    from dave.tools.delegate import agents_tools

    return agents_tools()


def _publish() -> ToolSet:
    from dave.tools.publish import publish_tools

    return publish_tools()


def _media(provider: str) -> ToolSet:
    from dave.tools.media import media_tools

    return media_tools(provider)


def _all_media() -> ToolSet:
    from dave.tools.media import all_media_tools

    return all_media_tools()


#: name → factory. `media` is every provider's media tools at once (a `provider` parameter
#: chooses); `media_<provider>` one provider's, for every provider dave knows (a provider
#: whose media models are not in the capability table gives an empty set).
BUILTIN_TOOLSETS: dict[str, Callable[[], ToolSet]] = {
    "files": _files,
    "shell": _shell,
    "web": _web,
    "agents": _agents,
    "publish": _publish,
    "media": _all_media,
    **{f"media_{provider}": partial(_media, provider) for provider in providers()},
}


def builtin_toolset(name: str) -> ToolSet:
    """The built-in tool set called `name`; ConfigError naming the known ones otherwise."""
    factory = BUILTIN_TOOLSETS.get(name)
    if factory is None:
        known = ", ".join(BUILTIN_TOOLSETS)
        raise ConfigError(f"no built-in tool set {name!r}; the tool sets are: {known}")
    return factory()
