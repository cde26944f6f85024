"""Regular expressions from Go's own parser tests, to prove aidc/config/re2.py accepts and refuses what Go does.

Source: golang/go, tag go1.22.0, src/regexp/syntax/parse_test.go (BSD-style licence, Copyright 2011 The Go
Authors): the `Regexp` of every `parseTests` entry (VALID), `invalidRegexps` (INVALID) and `onlyPOSIX` (invalid
under the Perl flags regexp.Compile uses). Left out: the invalid-UTF-8 cases (a Python str cannot hold them)
and the case-folding tables (flags other than Perl).
"""

VALID = [
    "a", "a.", "a.b", "ab", "a.b.c", "abc", "a|^", "a|b", "(a)", "(a)|b", "a*", "a+", "a?", "a{2}",
    "a{2,3}", "a{2,}", "a*?", "a+?", "a??", "a{2}?", "a{2,3}?", "a{2,}?",
    "x{1001", "x{9876543210", "x{9876543210,", "x{2,1", "x{1,9876543210",
    "", "|", "|x|", ".", "^", "$", r"\|", r"\(", r"\)", r"\*", r"\+", r"\?", "{", "}", r"\.", r"\^", r"\$",
    r"\\", "[ace]", "[abc]", "[a-z]", "[a]", r"\-", "-", r"\_", "abc|def", "abc|def|ghi",
    "[[:lower:]]", "[^[:lower:]]", "[[:^lower:]]", "(?i)[[:lower:]]", "(?i)[a-z]", "(?i)[^[:lower:]]",
    "(?i)[[:^lower:]]", r"\d", r"\D", r"\s", r"\S", r"\w", r"\W", r"(?i)\w", r"(?i)\W", r"[^\\]",
    r"\pZ", r"[\pZ]", r"\p{Lu}", r"[\p{Lu}]", r"(?i)[\p{Lu}]", r"\p{Any}", r"\p{^Any}",
    r"[\012-\234]\141", r"[\x{41}-\x7a]\x61",
    "a{,2}", r"\.\^\$\\", "[a-zABC]", "[^a]", "[α-ε☺]", "a*{",
    "(?:ab)*", "(ab)*", "ab|cd", "a(b|c)d",
    "(?:a)", "(?:ab)(?:cd)", "(?:a+b+)(?:c+d+)", "(?:a+|b+)|(?:c+|d+)", "(?:a|b)|(?:c|d)", "a|.", ".|a",
    "(?:[abc]|A|Z|hello|world)", "(?:[abc]|A|Z)",
    r"\Q+|*?{[\E", r"\Q+\E+", r"\Qab\E+", r"\Q\\E", r"\Q\\\E",
    "(?m)^", "(?m)$", "(?-m)^", "(?-m)$", r"(?m)\A", r"(?m)\z", r"(?-m)\A", r"(?-m)\z",
    "(?P<name>a)", "(?<name>a)",
    "[Aa]", r"[\x{100}\x{101}]", "[Δδ]", "abcde", "[Aa][Bb]cd",
    "abc|abd|aef|bcx|bcy", "ax+y|ax+z|ay+w",
    "(?:.)", "(?:x|(?:xa))", "(?:.|(?:.a))", "(?:A(?:A|a))", "(?:A|a)", "A|(?:A|a)", "(?s).", "(?-s).",
    "(?:(?:^).)", "(?-s)(?:(?:^).)", r"[\s\S]a",
    "abc|abd", "a(?:b)c|abd", "abc|x|abd", "(?i)abc|ABD", "[ab]c|[ab]d", ".c|.d", "x{2}|x{2}[0-9]",
    "x{2}y|x{2}[0-9]y", "a.*?c|a.*?b",
    "((((((((((x{1}){2}){2}){2}){2}){2}){2}){2}){2}){2})",
    "(" * 999 + ")" * 999,
    "(?:" * 999 + ")*" * 999,
    "(" + "|" * 12345 + ")",
    # onlyPerl: valid under the Perl flags
    "[a-b-c]", r"\Qabc\E", r"\Q*+?{[\E", r"\Q\\E", r"\Q\\\E", r"\Q\\\\E", r"\Q\\\\\E",
]  # fmt: skip

INVALID = [
    "(", ")", "(a", "a)", "(a))", "(a|b|", "a|b|)", "(a|b|))", "(a|b", "a|b)", "(a|b))", "[a-z", "([a-z)",
    "[a-z)", "([a-z]))", "x{1001}", "x{9876543210}", "x{2,1}", "x{1,9876543210}",
    "(?P<name>a", "(?P<name>", "(?P<name", "(?P<x y>a)", "(?P<>a)",
    "(?<name>a", "(?<name>", "(?<name", "(?<x y>a)", "(?<>a)",
    "[a-Z]", "(?i)[a-Z]", r"\Q\E*", "a{100000}", "a{100000,}",
    "((((((((((x{2}){2}){2}){2}){2}){2}){2}){2}){2}){2})",
    "(" * 1000 + ")" * 1000,
    "(?:" * 1000 + ")*" * 1000,
    # onlyPOSIX: refused under the Perl flags
    "a++", "a**", "a?*", "a+*", "a{1}*", ".{1}{2}.{3}",
]  # fmt: skip
