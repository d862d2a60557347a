"""Risk: the event-loss engine, damage and casualties, and risk metrics (AAL, exceedance curves).

Import the submodules you need; importing this package does not load numba.
"""
