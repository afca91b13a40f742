"""Learning resources: a vetted catalogue of links, and the weekly picks made from it for each person."""
