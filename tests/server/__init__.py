"""Tests of the reference central server (merchant_pos.server)."""
