"""Public pages: what visitors see without signing in.

The page and its assets (``pages``), the WSGI fast path in front of Flask that answers a
page from memory (``fastpath``), the read model they read (``readmodel``, tables in
``gateway.models``; kept by the bus consumer, ``gateway.consumer``) and the write-through
refresh after a partner's write (``refresh``). Issue 17 adds embed, oEmbed, ``/go`` and
analytics here. Reads nothing from another part at request time.
"""
