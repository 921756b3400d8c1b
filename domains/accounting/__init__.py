"""Accounting: task prices, balances, the audit log and the daily payout."""
