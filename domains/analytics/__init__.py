"""Analytics: the admins' numbers, built only from events."""
