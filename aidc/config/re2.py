"""A syntax check for Go regular expressions (RE2 syntax, as Go's regexp.Compile accepts it).

Rook matches `deviceFilter` with Go's regexp package, which refuses what RE2 does not support (lookarounds,
backreferences, atomic groups, possessive quantifiers, conditionals, \\Z, \\G …) and counts over 1000. A
pattern Rook refuses leaves the CephCluster without OSDs, so aidc refuses it when the config is read.

`re2_problem(pattern)` returns why Go would refuse `pattern`, or None. It follows golang/go
src/regexp/syntax/parse.go (Perl flags, as regexp.Compile uses); tests/config/test_re2.py runs the valid and
invalid expressions of src/regexp/syntax/parse_test.go against it. Unicode classes are checked against the
general categories only: a script name (\\p{Greek}) is refused, which no device filter needs.
"""

from __future__ import annotations

# Go: syntax.maxRepeat (a counted repetition's bound, also for nested counts multiplied) and maxHeight.
MAX_REPEAT = 1000
MAX_NESTING = 1000
_POSIX_CLASSES = frozenset(
    [
        "alnum",
        "alpha",
        "ascii",
        "blank",
        "cntrl",
        "digit",
        "graph",
        "lower",
        "print",
        "punct",
        "space",
        "upper",
        "word",
        "xdigit",
    ]
)
# Go's unicode.Categories plus "Any".
_UNICODE_CLASSES = frozenset(
    [
        "Any",
        "C",
        "Cc",
        "Cf",
        "Co",
        "Cs",
        "L",
        "Ll",
        "Lm",
        "Lo",
        "Lt",
        "Lu",
        "M",
        "Mc",
        "Me",
        "Mn",
        "N",
        "Nd",
        "Nl",
        "No",
        "P",
        "Pc",
        "Pd",
        "Pe",
        "Pf",
        "Pi",
        "Po",
        "Ps",
        "S",
        "Sc",
        "Sk",
        "Sm",
        "So",
        "Z",
        "Zl",
        "Zp",
        "Zs",
    ]
)
_PERL_CLASSES = frozenset("dDsSwW")
_CONTROL_ESCAPES = {"a": 7, "f": 12, "t": 9, "n": 10, "r": 13, "v": 11}
_FLAGS = frozenset("imsU")


class _Refused(Exception):
    pass


class _Parser:
    def __init__(self, pattern: str) -> None:
        self.s = pattern
        self.i = 0
        self.names: set[str] = set()
        self.flag_group_closed = False  # set by group_open for "(?flags)", which is not a group

    # -- helpers
    def peek(self, offset: int = 0) -> str:
        j = self.i + offset
        return self.s[j] if j < len(self.s) else ""

    def refuse(self, message: str) -> None:
        raise _Refused(message)

    # -- escapes: return the code point of a single-character escape, or None for a class escape
    def escape(self, in_class: bool) -> int | None:
        self.i += 1  # the backslash
        c = self.peek()
        if not c:
            self.refuse("trailing backslash at end of expression")
        self.i += 1
        if c in "1234567" and not ("0" <= self.peek() <= "7"):
            self.refuse(f"invalid escape sequence \\{c} (backreferences are not supported)")
        if c in "01234567":
            for _ in range(2):
                if "0" <= self.peek() <= "7":
                    self.i += 1
            return 0
        if c == "x":
            if self.peek() == "{":
                end = self.s.find("}", self.i)
                digits = self.s[self.i + 1 : end] if end >= 0 else ""
                if end < 0 or not digits or any(d not in "0123456789abcdefABCDEF" for d in digits):
                    self.refuse("invalid escape sequence \\x{…}")
                if int(digits, 16) > 0x10FFFF:
                    self.refuse(f"invalid escape sequence \\x{{{digits}}}")
                self.i = end + 1
                return int(digits, 16)
            digits = self.s[self.i : self.i + 2]
            if len(digits) < 2 or any(d not in "0123456789abcdefABCDEF" for d in digits):
                self.refuse("invalid escape sequence \\x (two hex digits or \\x{…})")
            self.i += 2
            return int(digits, 16)
        if c in _CONTROL_ESCAPES:
            return _CONTROL_ESCAPES[c]
        if c in _PERL_CLASSES:
            return None
        if c in "pP":
            if self.peek() == "{":
                end = self.s.find("}", self.i)
                if end < 0:
                    self.refuse("invalid character class range \\p{ (missing })")
                name = self.s[self.i + 1 : end]
                self.i = end + 1
            else:
                name = self.peek()
                if not name:
                    self.refuse("invalid character class range \\p")
                self.i += 1
            if name.removeprefix("^") not in _UNICODE_CLASSES:
                self.refuse(
                    f"unknown Unicode class \\{c}{{{name}}} (aidc accepts the general categories: L, Lu, N, …)"
                )
            return None
        if not in_class and c in "AzbB":
            return None  # assertions: only outside a class
        if ord(c) < 0x80 and not c.isalnum():
            return ord(c)  # an escaped punctuation character is itself
        self.refuse(f"invalid escape sequence \\{c}")
        return None

    # -- character class [...]
    def char_class(self) -> None:
        start = self.i
        self.i += 1
        if self.peek() == "^":
            self.i += 1
        first = True
        while True:
            c = self.peek()
            if not c:
                self.refuse(f"missing closing ]: {self.s[start:]!r}")
            if c == "]" and not first:
                self.i += 1
                return
            first = False
            if c == "[" and self.peek(1) == ":":
                end = self.s.find(":]", self.i + 2)
                if end >= 0:
                    name = self.s[self.i + 2 : end]
                    if name.removeprefix("^") not in _POSIX_CLASSES:
                        self.refuse(f"invalid character class range [:{name}:]")
                    self.i = end + 2
                    continue
            low = self.class_char()
            if self.peek() == "-" and self.peek(1) not in ("]", ""):
                self.i += 1
                high = self.class_char()
                if low is None or high is None:
                    self.refuse("invalid character class range (a class escape cannot bound a range)")
                elif high < low:
                    self.refuse(f"invalid character class range {chr(low)}-{chr(high)}")

    def class_char(self) -> int | None:
        c = self.peek()
        if c == "\\":
            return self.escape(in_class=True)
        self.i += 1
        return ord(c)

    # -- groups
    def group_open(self) -> None:
        """At '(': consume the opening of a group (capturing, named, non-capturing, flags)."""
        self.i += 1
        if self.peek() != "?":
            return
        rest = self.s[self.i + 1 :]
        if rest.startswith(("P<", "<")) and not rest.startswith(("<=", "<!")):
            start = self.i + (3 if rest.startswith("P<") else 2)
            end = self.s.find(">", start)
            if end < 0:
                self.refuse(f"invalid named capture: {self.s[self.i - 1 :]!r}")
            name = self.s[start:end]
            if not name or not all(ch.isascii() and (ch.isalnum() or ch == "_") for ch in name):
                self.refuse(f"invalid named capture: {name!r}")
            if name in self.names:
                self.refuse(f"duplicate capture group name {name!r}")
            self.names.add(name)
            self.i = end + 1
            return
        # (?flags) or (?flags:re)
        j = self.i + 1
        negated = seen_flag = False
        while j < len(self.s):
            ch = self.s[j]
            if ch in _FLAGS:
                seen_flag = True
            elif ch == "-" and not negated:
                negated, seen_flag = True, False
            elif ch in ":)":
                if (negated and not seen_flag) or (ch == ")" and j == self.i + 1):
                    break  # "(?-)", "(?i-:", "(?)"
                self.i = j + (1 if ch == ":" else 0)
                if ch == ")":
                    self.flag_group_closed = True
                return
            else:
                break
            j += 1
        construct = self.s[self.i - 1 : j + 1]
        why = {
            "(?=": "lookahead",
            "(?!": "negative lookahead",
            "(?<=": "lookbehind",
            "(?<!": "negative lookbehind",
            "(?>": "atomic group",
            "(?(": "conditional",
            "(?#": "comment group",
            "(?P=": "backreference",
        }
        for opening, what in why.items():
            if self.s.startswith(opening, self.i - 1):
                self.refuse(f"invalid or unsupported Perl syntax {opening!r} ({what}s are not in RE2)")
        self.refuse(f"invalid or unsupported Perl syntax: {construct!r}")

    # -- the expression
    def parse(self) -> None:
        depth = 0
        operand = False  # is there something a quantifier may apply to
        previous = 0  # where the last quantifier started
        repeated = False  # was the last thing a quantifier (a second one is refused)
        # Nested counted repetitions multiply (Go refuses ((x{2}){2})… past MAX_REPEAT): the largest product
        # inside the last operand, and per open group the largest product inside it so far.
        last_operand_repeat = 1
        inner_max: list[int] = [1]
        while self.i < len(self.s):
            c = self.peek()
            if c == "(":
                self.flag_group_closed = False
                self.group_open()
                if self.flag_group_closed:
                    self.i += 1
                    continue  # (?i) changes flags, it is not an operand
                depth += 1
                if depth >= MAX_NESTING:
                    self.refuse(f"expression nests more than {MAX_NESTING} groups")
                inner_max.append(1)
                operand = repeated = False
                continue
            if c == ")":
                if depth == 0:
                    self.refuse(f"unexpected ): {self.s!r}")
                depth -= 1
                last_operand_repeat = inner_max.pop()
                inner_max[-1] = max(inner_max[-1], last_operand_repeat)
                self.i += 1
                operand, repeated = True, False
                continue
            if c == "|":
                self.i += 1
                operand = repeated = False
                continue
            if c in "*+?" or (c == "{" and self._counted() is not None):
                count, start = 1, self.i
                if c == "{":
                    low, high, end = self._counted()  # type: ignore[misc]
                    if low > MAX_REPEAT or (high is not None and high > MAX_REPEAT):
                        self.refuse(f"invalid repeat count {self.s[self.i : end]} (at most {MAX_REPEAT})")
                    if high is not None and high < low:
                        self.refuse(f"invalid repeat count {self.s[self.i : end]}")
                    count = max(low, high or 0, 1)
                    self.i = end
                else:
                    self.i += 1
                if not operand:
                    self.refuse(f"missing argument to repetition operator {c!r}")
                if repeated:
                    self.refuse(f"invalid nested repetition operator {self.s[previous : self.i]!r}")
                if self.peek() == "?":
                    self.i += 1  # lazy
                if count > 1:
                    product = last_operand_repeat * count
                    if product > MAX_REPEAT:
                        self.refuse(f"invalid repeat count: nested counts multiply past {MAX_REPEAT}")
                    inner_max[-1] = max(inner_max[-1], product)
                repeated, previous = True, start
                continue
            if c == "[":
                self.char_class()
            elif c == "\\":
                if self.peek(1) == "Q":
                    end = self.s.find("\\E", self.i + 2)
                    quoted = self.s[self.i + 2 : end] if end >= 0 else self.s[self.i + 2 :]
                    self.i = end + 2 if end >= 0 else len(self.s)
                    if not quoted:
                        operand = repeated = False
                        continue
                else:
                    self.escape(in_class=False)
            else:
                self.i += 1
            operand, repeated = True, False
            last_operand_repeat = 1
        if depth:
            self.refuse(f"missing closing ): {self.s!r}")

    def _counted(self) -> tuple[int, int | None, int] | None:
        """At '{': (low, high or None for unbounded, index after '}') if it is a counted repetition; Go
        treats a malformed one as literal text."""
        j = self.i + 1
        digits = ""
        while j < len(self.s) and self.s[j].isdigit():
            digits += self.s[j]
            j += 1
        if not digits:
            return None
        low = int(digits) if len(digits) < 9 else MAX_REPEAT + 1
        high: int | None = low
        if j < len(self.s) and self.s[j] == ",":
            j += 1
            more = ""
            while j < len(self.s) and self.s[j].isdigit():
                more += self.s[j]
                j += 1
            high = (int(more) if len(more) < 9 else MAX_REPEAT + 1) if more else None
        if j >= len(self.s) or self.s[j] != "}":
            return None
        return low, high, j + 1


def re2_problem(pattern: str) -> str | None:
    """Why Go's regexp.Compile would refuse `pattern`, or None when it compiles."""
    parser = _Parser(pattern)
    try:
        parser.parse()
    except _Refused as exc:
        return f"not a Go (RE2) regular expression: {exc}"
    return None
