"""The real-time gateway (DESIGN §4): socket.io connections, delivery, replay and operations.

The gateway only reads the event seam (`oms.events`): it never reaches into the domain, and
nothing a client sends can make it emit to anyone else.
"""
