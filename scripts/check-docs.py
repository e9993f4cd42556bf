#!/usr/bin/env python3
"""Every public name has a `///` comment (issue 16: a reference can be generated from the headers).

Checks the public headers (include/millrace/**/*.hpp and *.cuh, not detail/ folders, not *_impl.hpp): every type,
alias, enum, concept, variable template and function declared at namespace scope outside a
`detail` namespace must have a `///` comment on the line(s) right above it (templates and
attributes may sit between) or a trailing `///<`; so must every public member (data member or
member function) of such a type: `struct` members and those after `public:`. Not checked:
overloads and specializations of a name documented earlier in the same header or type (the first
comment covers the set), operators, `= default` / `= delete` declarations, constructors and
destructors, and members of nested types. Prints `file:line: undocumented public name`
and exits 1 when any is missing.   usage: check-docs.py [ROOT]
"""
import pathlib, re, sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parents[1])
inc = root / "include" / "millrace"

DECL = re.compile(r"^\s*(?:template\s*<.*>\s*)?(?:inline\s+|constexpr\s+|static\s+|\[\[[^\]]*\]\]\s*|MILLRACE_INLINE\s+|explicit\s+)*"
                  r"(struct|class|enum(?:\s+class)?|using|concept|union)\s+([A-Za-z_]\w*)")
FUNC = re.compile(r"^\s*(?:template\s*<.*>\s*)?(?:\[\[[^\]]*\]\]\s*)?(?:MILLRACE_INLINE\s+|inline\s+|constexpr\s+|static\s+|consteval\s+|friend\s+)*"
                  r"(?!return\b|else\b|case\b|delete\b|new\b|throw\b|co_return\b|using\b|namespace\b|typedef\b)"
                  r"[A-Za-z_][\w:<>,\s\*&]*?[\s\*&]([A-Za-z_]\w*)\s*\(")
VAR = re.compile(r"^\s*(?:template\s*<.*>\s*)?(?:inline\s+)?constexpr\s+[\w:<>,\s]+?\s([A-Za-z_]\w*)\s*(?:=|\{)")

MEMBER_FN = re.compile(r"^\s*(?:template\s*<.*>\s*)?(?:\[\[[^\]]*\]\]\s*)?(?:static\s+|constexpr\s+|consteval\s+|inline\s+|virtual\s+|explicit\s+|"
                       r"friend\s+|MILLRACE_HD\s+|MILLRACE_INLINE\s+)*(?:[A-Za-z_][\w:<>,\s\*&]*?[\s\*&])?(~?[A-Za-z_]\w*)\s*\(")
MEMBER_VAR = re.compile(r"^\s*(?:static\s+|constexpr\s+|inline\s+|mutable\s+)*(?!return\b|using\b|friend\b|typedef\b|case\b|public\b|private\b|protected\b)"
                        r"[A-Za-z_][\w:<>,\s\*&]*?[\s\*&]([A-Za-z_]\w*)\s*(?:\[[^\]]*\])?\s*(?:=[^=].*|\{.*\})?;\s*$")
TYPE_HEAD = re.compile(r"\b(struct|class|union)\s+(?:\[\[[^\]]*\]\]\s*)?([A-Za-z_]\w*)[^;()]*$")

def strip_strings(line):
    return re.sub(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'', '""', line)

def check(path):
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    stack = []          # 'ns', 'detail', 'other' per open brace
    pending_ns = None   # namespace header seen, brace not yet
    in_block_comment = False
    problems = []
    documented_names = set()
    paren = 0
    for i, raw in enumerate(lines):
        line = raw
        if in_block_comment:
            if "*/" in line:
                line = line.split("*/", 1)[1]; in_block_comment = False
            else:
                continue
        code = strip_strings(line)
        code = code.split("//", 1)[0]
        if "/*" in code:
            before, after = code.split("/*", 1)
            if "*/" not in after:
                in_block_comment = True
            code = before
        stripped = code.strip()
        at_ns_scope = all(k == "ns" for k in stack) and paren == 0
        in_type = bool(stack) and isinstance(stack[-1], dict) and all(k == "ns" for k in stack[:-1]) and paren == 0
        if in_type and stripped and not stripped.startswith("#"):
            t = stack[-1]
            acc = re.match(r"^(public|private|protected)\s*:", stripped)
            if acc:
                t["access"] = acc.group(1)
            elif t["access"] == "public":
                problem = member_problem(lines, i, code, t)
                if problem:
                    problems.append(f"{path.relative_to(root)}:{i + 1}: {problem}")
        if at_ns_scope and stripped and not stripped.startswith("#"):
            m = DECL.match(code) or VAR.match(code)
            name = m.group(m.lastindex) if m else None
            if not m:
                f = FUNC.match(code)
                if f and not stripped.startswith(("namespace", "}")) and not re.match(r"^\s*(?:if|for|while|switch|return)\b", code):
                    name = f.group(1)
            qualified = bool(name) and re.search(r"\b" + re.escape(name) + r"\s*::", code) is not None
            if name and name in documented_names:
                name = None   # an overload (or specialization) of a name documented above: one comment covers the set
            if name and not qualified and not re.match(r"^\s*namespace\b", code) and not name.startswith("operator") and name != "template":
                # forward declarations (`struct x;`) need no comment: the definition carries it
                forward = re.match(r"^\s*(?:template\s*<.*>\s*)?(struct|class)\s+\w+\s*;", code)
                if not forward and not documented(lines, i):
                    problems.append(f"{path.relative_to(root)}:{i + 1}: undocumented public name '{name}'")
                elif not forward:
                    documented_names.add(name)
        # track braces and namespaces
        for ch_i, ch in enumerate(code):
            if ch == "(":
                paren += 1
            elif ch == ")":
                paren = max(0, paren - 1)
            elif ch == "{":
                head = code[:ch_i]
                if re.search(r"\bnamespace\b[\w:\s]*$", head) or (pending_ns and not head.strip()):
                    nsname = re.search(r"\bnamespace\s*([\w:]*)\s*$", head)
                    nm = nsname.group(1) if nsname else pending_ns
                    stack.append("detail" if nm and ("detail" in nm.split("::")) else "ns")
                    pending_ns = None
                elif re.match(r"^\s*extern\s+\"C\"", line):
                    stack.append("ns")
                elif TYPE_HEAD.search(head) and not re.search(r"\benum\b", head):
                    th = TYPE_HEAD.search(head)
                    stack.append({"name": th.group(2), "access": "private" if th.group(1) == "class" else "public", "documented": set(),
                                  "operator": re.search(r"\b(element_tag|row_op_tag)\b", head) is not None})
                else:
                    stack.append("other")
            elif ch == "}":
                if stack:
                    stack.pop()
        m = re.match(r"^\s*namespace\s+([\w:]+)\s*$", code)
        if m:
            pending_ns = m.group(1)
    return problems

NOT_MEMBERS = {"static_assert", "requires", "decltype", "sizeof", "alignas", "noexcept", "template", "operator"}
# The operator protocol's members, documented once on core/element.hpp's chain_element: not again
# on each operator type (those derived from element_tag or row_op_tag).
PROTOCOL = {"name", "kind", "expects", "accepts", "output", "refusal", "lower", "lower_source", "value_type", "is_sink",
            "is_barrier", "is_parallel", "has_finish", "result", "object", "process_fn", "submit_fn", "out_type"}

def member_problem(lines, i, code, t):
    """The problem with the member declared on line i of type t (None when it needs no comment or has one)."""
    prev = next((l.split("//", 1)[0].rstrip() for l in reversed(lines[:i]) if l.split("//", 1)[0].strip()), "")
    continued = prev.endswith((",", ":")) and not prev.endswith("::") and not re.search(r"\b(public|private|protected)\s*:$", prev)
    if code.lstrip().startswith((":", ",")) or continued:
        return None   # a constructor's initializer list (or a continued declaration), not a member
    if re.search(r"=\s*(default|delete)\s*;", code) or re.match(r"^\s*(friend|using|typedef|return|if|for|while|switch|else|case|throw)\b", code):
        return None
    f = MEMBER_FN.match(code)
    v = None if f else MEMBER_VAR.match(code)
    name = f.group(1) if f else (v.group(1) if v else None)
    if not name or name in NOT_MEMBERS or name.startswith("operator") or name.startswith("~") or name == t["name"]:
        return None
    if t.get("operator") and name in PROTOCOL:
        return None
    if name in t["documented"]:
        return None   # an overload of a member documented above
    if documented(lines, i):
        t["documented"].add(name)
        return None
    return f"undocumented public member '{t['name']}::{name}'"

def documented(lines, i):
    if "///<" in lines[i] or "///" in lines[i].split("//", 1)[-1] and "///" in lines[i]:
        return True
    j = i - 1
    while j >= 0:
        s = lines[j].strip()
        if s.startswith("///") or s.endswith("*/") and "/**" in "".join(lines[max(0, j - 40):j + 1]):
            return True
        if s.startswith(("template", "[[", "requires", "//!")) or s == "" and False:
            j -= 1
            continue
        if s.startswith("//") and not s.startswith("///"):
            j -= 1   # an ordinary comment between the doc comment and the name
            continue
        return False
    return False

def main():
    problems = []
    for path in sorted(list(inc.rglob("*.hpp")) + list(inc.rglob("*.cuh"))):
        rel = path.relative_to(inc).parts
        if "detail" in rel or path.name.endswith("_impl.hpp"):
            continue
        problems += check(path)
    for p in problems:
        print(p)
    if problems:
        print(f"check-docs: {len(problems)} undocumented public name(s)", file=sys.stderr)
        return 1
    print("check-docs: every public name has a /// comment")
    return 0

if __name__ == "__main__":
    sys.exit(main())
