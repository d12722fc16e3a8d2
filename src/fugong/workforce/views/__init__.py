"""Pages of the workforce app, one module per subject: people.py (the person list and file),
roster.py (roster import), declaration.py (health declaration and personal links), and A2's
passes.py and classification.py."""
