"""`dave mcp`: dave's media tools, its job journal and its library for any MCP client, over
stdio or streamable HTTP, built with the official MCP SDK.

Start with `serve.py` (the transports), `server.py` (what is offered), `tools.py` (the tools; long
jobs are followed by dave.media.following). Not imported by `dave --help` or any other command.
"""
