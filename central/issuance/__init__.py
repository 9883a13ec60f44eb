"""Central issuance: declarations, colour rules as data, codes, colour changes, the status feed.

`rules` (rule sets in `rulesets/*.toml`), `declarations`, `codes` (issue and refresh),
`changes` (check-ins, clinic events, fever cases, area risk recomputation), `feed` (the
status feed store), `sms`, `paper` (printable codes), `people` (keys and ciphers).
"""
