"""Handoffs to human agents: queue, assignment, the 30-second window, tickets, agents.

No web code here: the gateway (``bot.gateway``) carries frames to buyers and agents
through the ``Notifier`` the service is given.
"""
