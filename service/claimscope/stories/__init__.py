"""Stories: the claims of many documents that state one thing, their timeline, status and
figure conflicts (see grouping.py for how claims are grouped)."""
