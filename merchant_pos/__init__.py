"""merchant-pos: redeem charity entitlements (BC1 codes) at a partner counter."""

__version__ = "0.1.0"
