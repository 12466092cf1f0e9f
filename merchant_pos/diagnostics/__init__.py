"""What a supporter needs when something goes wrong: the rotating log file
(:mod:`.logfile`) and the support bundle (:mod:`.support_bundle`)."""
