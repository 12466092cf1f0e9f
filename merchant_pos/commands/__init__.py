"""Subcommands of ``merchant-pos``: one module each, discovered by ``merchant_pos.cli``."""
