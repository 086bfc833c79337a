"""The "floor": a bare Django project doing the same database work as each measured endpoint.

Same Django, same database driver and connection settings (persistent connections, health
checks), same gunicorn settings as Một Cửa in the city bench, and nothing else: no middleware,
no installed apps, no templates, no ORM models. The ratio Một Cửa ÷ floor is what our own code
costs on top of the framework and the database.
"""
