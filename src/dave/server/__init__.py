"""`dave serve`: the media library as a gallery in the browser, a JSON API over the journal and
the library, agent runs streamed over WebSocket, and live updates.

Not for making media (dave.media) nor for running agents (dave.agents): this door shows them.
"""
