"""Domain core of MTA: settings, database, models and the plain functions every process shares."""
