"""Day-end settlement (日结) from the ledger, its CSV / PDF / thermal slip forms, and the
reconciliation of a day with the server's own list (Qt-free; PDF lives in ui/)."""
