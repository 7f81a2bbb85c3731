"""Checks a careful reviewer runs over a folder of reports: per report, across years, coverage, rates; JSON and HTML."""
