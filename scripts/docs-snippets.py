#!/usr/bin/env python3
"""Every ```cpp block of README.md and docs/*.md compiled (and, where it says so, run) in CI.

  docs-snippets.py generate DOC.md OUT.cpp [--have a,b,...] [--root DIR]
      writes one translation unit for the doc (OUT.cpp) and OUT.json (what to run)
  docs-snippets.py run OUT.json EXE WORKDIR [--root DIR] [--build CMD...]
      runs CMD (the build of EXE) when given, then every runnable snippet in its own fresh
      working directory under WORKDIR
  docs-snippets.py list [--root DIR]
      prints every block with how it is checked

How a block is checked. A ```cpp block with `int main` is a *program*: compiled and run (its
`int main` becomes `auto snippet_main`, called by the TU's dispatcher, so one doc is one
executable). Any other
block is a *fragment*, compiled in a function body of its own (never called unless marked `run`).
An HTML comment right before the fence says otherwise, on its first line:

  <!-- snippet: WORD WORD key=value ...
  hidden setup lines (C++), not shown in the rendered doc
  -->

  fragment | namespace | global   where the block goes: a function body (default), the doc's
                                  namespace (declarations; later blocks of the doc see them), or
                                  the global namespace (specializations of millrace templates)
  declarations in=NS              a reference listing of NS's declarations (one C++ declaration
                                  per statement), checked against NS, not compiled as it is: a
                                  struct's data members must have the listed types and (the test
                                  runs it) defaults, and none may be missing (sizeof); member and
                                  free functions need an overload of exactly the listed type
                                  (parameter names and default arguments are the text's); enums
                                  their enumerators in order; `using X = T` the same type; a
                                  class listing (`class`, not `struct`) shows the public API, no
                                  size check; a class template named by instantiate=NAME:ARGS;...
                                  is checked as NAME<ARGS>, any other template by name only
  continue                        a fragment appended to the previous fragment's function: it sees
                                  that block's variables, as the text reads on
  run                             also run the fragment (a program runs unless compile-only)
  compile-only                    a program compiled but not run (it needs a service or a model)
  needs=a,b                       optional components (CMake targets millrace::a): without them
                                  the block is left out and the test says so
  files=DEST:SRC,...              copied into the run's working directory before it runs (SRC
                                  relative to the repository; a folder is copied whole)
  args=...                        command-line arguments of a program (shell words)

Hidden setup lines go before the block, in the same scope; the lines after a line `// after:` go
after it (e.g. a run of the pipeline it builds, or a check of its result); a setup line starting
with `@` goes to the doc's namespace instead (a helper type a fragment needs); `#include` lines
anywhere go to the top of the TU. Every TU starts with the prelude below (PRELUDE): the standard headers the docs use,
<millrace/core.hpp>, `namespace mr = millrace;`, `namespace fs = std::filesystem;` and a record
`struct Doc { std::string id, text; };` (a doc's own `Doc` hides it). Compile errors name the doc's
file and line (#line).

Kept cheap: one translation unit and one executable per doc file, linked with millrace::compiled.
"""
import argparse, json, os, pathlib, re, shlex, shutil, subprocess, sys

PRELUDE = r"""
#include <algorithm>
#include <array>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <functional>
#include <map>
#include <memory>
#include <numeric>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>
#include <millrace/core.hpp>
namespace snippet_prelude {
namespace mr = millrace;
namespace fs = std::filesystem;
struct Doc { std::string id, text; };
}  // namespace snippet_prelude
using namespace snippet_prelude;
"""

KINDS = {"fragment", "namespace", "global", "program", "declarations"}
FLAGS = {"continue", "run", "compile-only"}
KEYS = {"needs", "files", "args", "in", "instantiate"}


class SnippetError(Exception):
    pass


def doc_files(root):
    files = [root / "README.md"] + sorted((root / "docs").glob("*.md"))
    return [f for f in files if f.exists()]


def parse(path, rel):
    """The doc's ```cpp blocks: dicts with line, code, kind, flags, options, setup."""
    lines = path.read_text(encoding="utf-8").split("\n")
    blocks, i = [], 0
    while i < len(lines):
        fence = re.match(r"^(\s*)```(\S*)\s*$", lines[i])
        if not fence:
            i += 1
            continue
        indent, lang = fence.group(1), fence.group(2)
        j = i + 1
        while j < len(lines) and not re.match(r"^\s*```\s*$", lines[j]):
            j += 1
        if j == len(lines):
            raise SnippetError(f"{rel}:{i + 1}: unterminated code block")
        if lang in ("cpp", "c++", "cxx"):
            code = [l[len(indent):] if l.startswith(indent) else l.lstrip() for l in lines[i + 1:j]]
            blocks.append(make_block(rel, lines, i, code))
        i = j + 1
    return blocks


def make_block(rel, lines, fence_index, code):
    block = {"line": fence_index + 2, "code": code, "kind": None, "flags": set(), "options": {},
             "setup": [], "setup_line": 0}
    # the marker: an HTML comment ending on the last non-blank line before the fence
    k = fence_index - 1
    while k >= 0 and not lines[k].strip():
        k -= 1
    if k >= 0 and lines[k].strip().endswith("-->"):
        start = k
        while start >= 0 and "<!--" not in lines[start]:
            start -= 1
        head = lines[start].strip()
        m = re.match(r"^<!--\s*snippet:\s*(.*?)\s*(-->)?$", head)
        if m:
            for word in shlex.split(m.group(1)):
                key, eq, value = word.partition("=")
                if eq and key in KEYS:
                    block["options"][key] = value
                elif word in KINDS:
                    block["kind"] = word
                elif word in FLAGS:
                    block["flags"].add(word)
                else:
                    raise SnippetError(f"{rel}:{start + 1}: unknown snippet marker word '{word}'")
            if start != k:
                block["setup"] = [l for l in lines[start + 1:k]]
                tail = lines[k].strip()[:-3].rstrip()
                if tail:
                    block["setup"].append(tail)
                block["setup_line"] = start + 2
    has_main = any(re.search(r"\bint\s+main\s*\(", l) for l in code)
    if block["kind"] is None:
        block["kind"] = "program" if has_main else "fragment"
    if has_main != (block["kind"] == "program"):
        raise SnippetError(f"{rel}:{block['line'] - 1}: a program is a block with int main, and only that")
    if "continue" in block["flags"] and block["kind"] != "fragment":
        raise SnippetError(f"{rel}:{block['line'] - 1}: only a fragment can continue another")
    return block


class Writer:
    def __init__(self, gen_name):
        self.out, self.gen_name = [], gen_name

    def raw(self, text):
        self.out.extend(text.split("\n"))

    def at(self, rel, line, code):
        """code attributed to rel:line (compile errors name the doc)."""
        self.out.append(f'#line {line} "{rel}"')
        self.out.extend(code)
        self.out.append(f'#line {len(self.out) + 2} "{self.gen_name}"')


def split_includes(lines, first_line):
    """(#include lines with their line numbers, the rest with each line's number)."""
    includes, rest = [], []
    for n, l in enumerate(lines):
        (includes if l.strip().startswith("#include") else rest).append((first_line + n, l))
    return includes, rest


def emit_lines(w, rel, numbered):
    """numbered lines, keeping their doc line numbers."""
    if not numbered:
        return
    w.at(rel, numbered[0][0], [l for _, l in numbered])


def statements(text):
    """Top-level statements of a declaration listing (comments removed), split at `;` outside
    brackets; a struct or enum body stays with its statement."""
    text = re.sub(r"//[^\n]*", "", text)
    out, cur, depth = [], "", 0
    for c in text:
        if c in "({[<" and not (c == "<" and cur.rstrip().endswith("operator")):
            depth += 1 if c != "<" or re.search(r"\w\s*$|template\s*$", cur) else 0
        elif c in ")}]>" and depth > 0:
            if c != ">" or cur.count("<") > cur.count(">"):
                depth -= 1
        if c == ";" and depth == 0:
            if cur.strip():
                out.append(" ".join(cur.split()))
            cur = ""
        else:
            cur += c
    if cur.strip():
        raise SnippetError(f"a declaration does not end with ';': {' '.join(cur.split())[:80]}")
    return out


def split_top(s, sep=","):
    parts, cur, depth = [], "", 0
    for c in s:
        if c in "(<{[":
            depth += 1
        elif c in ")>}]":
            depth -= 1
        if c == sep and depth == 0:
            parts.append(cur.strip())
            cur = ""
        else:
            cur += c
    if cur.strip():
        parts.append(cur.strip())
    return parts


def function_parts(st):
    """(return type and qualifiers before the name, name, parameter types, trailing qualifiers) or None."""
    st = re.sub(r"\[\[[^\]]*\]\]\s*", "", st)
    m = re.match(r"^(.*?)\b(operator\s*\S+?|~?\w+)\s*\((.*)\)\s*((?:const|noexcept|&&|&|\s)*)(?:=\s*(?:default|delete|0))?$", st)
    if not m or not m.group(1).strip():
        return None
    ret, name, params, quals = m.group(1).strip(), m.group(2), m.group(3), m.group(4).strip()
    if "=" in ret or "(" in ret:
        return None
    types = [split_top(p, "=")[0] for p in split_top(params)] if params.strip() else []
    return ret, name, types, quals


def member_checks(cls, inner, whole, where, counter):
    """static_asserts for the members listed in a struct/class body; data members go to `defaults`.
    whole: the listing shows every data member (a struct), so the sizes must agree."""
    body, defaults, members = [], [], []

    def fail(msg):
        return f'"{where}: {msg}"'

    short = re.sub(r"<.*", "", cls)
    for ms in statements(inner):
        ms = re.sub(r"^(public|private|protected):\s*", "", ms)
        if not ms or re.match(r"^(static_assert|friend|template|enum|struct |class )", ms):
            continue
        um = re.match(r"^using (\w+) = (.*)$", ms)
        if um:
            body.append(f"static_assert(std::is_same_v<typename {cls}::{um.group(1)}, {um.group(2)}>, "
                        f"{fail(f'{short}::{um.group(1)} is not {um.group(2)}')});")
            body.append(f"using {um.group(1)} = typename {cls}::{um.group(1)};")
            continue
        cm = re.match(rf"^(?:explicit\s+)?{short}\s*\((.*)\)$", ms)
        if cm:
            types = [split_top(x, "=")[0] for x in split_top(cm.group(1))] if cm.group(1).strip() else []
            types = [re.sub(r"\s+\w+$", "", t) if re.search(r"[\w>&*]\s+\w+$", t) else t for t in types]
            body.append(f"static_assert(std::is_constructible_v<{cls}{''.join(', ' + t for t in types)}>, "
                        f"{fail(f'{short} is not constructible as listed')});")
            continue
        if re.match(r"^static (constexpr|const|inline)", ms) and "(" not in ms.split("=", 1)[0]:
            nm = re.match(r"^.*?\b(\w+)\s*(=.*)?$", ms).group(1)
            body.append(f"static_assert(sizeof({cls}::{nm}) > 0, {fail(f'{short}::{nm}')});")
            continue
        f = function_parts(re.sub(r"^(static|virtual|explicit|constexpr|inline)\s+", "", ms))
        if f:
            ret, fname, types, quals = f
            if ms.startswith("static "):
                body.append(f"static_assert(sizeof(static_cast<{ret} (*)({', '.join(types)})>(&{cls}::{fname})) > 0, "
                            f"{fail(f'{short}::{fname} is not as listed')});")
            elif ret != "auto":
                body.append(f"static_assert(sizeof(static_cast<{ret} ({cls}::*)({', '.join(types)}) {quals}>(&{cls}::{fname})) > 0, "
                            f"{fail(f'{short}::{fname} is not as listed')});")
            else:
                body.append(f"static_assert(sizeof(&{cls}::{fname}) > 0 || true, {fail(short + '::' + fname)});")
            continue
        fm = re.match(r"^(.*?)\b(\w+)\s*(=.*|\{.*\})?$", ms)
        if not fm or not fm.group(1).strip():
            raise SnippetError(f"{where}: cannot read member '{ms}' of {short}")
        members.append((fm.group(1).strip(), fm.group(2), fm.group(3) or "{}"))
    if whole:
        counter[0] += 1
        body.append(f"struct snippet_listed_{counter[0]} {{ " + " ".join(f"{t} {m};" for t, m, _ in members) + " };")
        body.append(f"static_assert(sizeof(snippet_listed_{counter[0]}) == sizeof({cls}), "
                    f"{fail(f'{short} has members the listing does not show (or other types)')});")
    for t, mname, init in members:
        body.append(f"static_assert(std::is_same_v<decltype({cls}::{mname}), {t}>, {fail(f'{short}::{mname} is not a {t}')});")
        defaults.append((cls, mname, t, init))
    return body, defaults


def declarations(w, rel, b, setup, code):
    """A reference listing, checked against the namespace it describes: each struct's data members
    (type, default, no member left out: the size), member and free functions (an overload of
    exactly the listed type), enums (their enumerators in order), aliases; class templates named in
    instantiate= are checked as those types, other templates by name."""
    ns = b["options"].get("in")
    if not ns:
        raise SnippetError(f"{rel}:{b['line'] - 1}: 'declarations' needs in=NAMESPACE")
    inst = {}
    for spec in [x for x in b["options"].get("instantiate", "").split(";") if x]:
        k, _, v = spec.partition(":")
        inst[k] = v
    line = b["line"]
    where = f"{rel}:{line - 1}"
    try:
        stmts = statements("\n".join(l for _, l in code))
    except SnippetError as err:
        raise SnippetError(f"{where}: {err}")
    chk = f"snippet_decl_{line}"
    body, defaults, counter = [], [], [0]

    def fail(msg):
        return f'"{where}: {msg}"'

    for st in stmts:
        if st.startswith("static_assert") or st.startswith("namespace"):
            body.append(st + ";")
            continue
        m = re.match(r"^(struct|class) (\w+)\s*(?:final\s*)?\{(.*)\}$", st)
        if m:
            b2, d2 = member_checks(m.group(2), m.group(3), m.group(1) == "struct", where, counter)
            body += b2
            defaults += d2
            continue
        m = re.match(r"^enum(?: class| struct)? (\w+)\s*(?::\s*[\w:]+\s*)?\{(.*)\}$", st)
        if m:
            name = m.group(1)
            for i, e in enumerate(x.strip() for x in m.group(2).split(",") if x.strip()):
                if "=" in e:
                    ename, val = [x.strip() for x in e.split("=", 1)]
                    body.append(f"static_assert(static_cast<long long>({name}::{ename}) == {val}, {fail(f'{name}::{ename}')});")
                else:
                    body.append(f"static_assert(static_cast<long long>({name}::{e}) == {i}, {fail(f'{name}::{e} is not enumerator {i}')});")
            continue
        if st.startswith("template"):
            depth, k = 0, st.index("<")
            for k in range(k, len(st)):
                depth += {"<": 1, ">": -1}.get(st[k], 0)
                if depth == 0:
                    break
            header, rest = st[:k + 1], st[k + 1:].strip()
            cm = re.match(r"^(struct|class) (\w+)\s*\{(.*)\}$", rest)
            if cm and cm.group(2) in inst:
                # a class template: its members checked on one instantiation
                params = [x.split("=")[0].strip().split()[-1] for x in split_top(header[header.index("<") + 1:-1])]
                cls = f"{cm.group(2)}<{', '.join(params)}>"
                counter[0] += 1
                wrap = f"snippet_check_{cm.group(2)}_{counter[0]}"
                b2, _ = member_checks(cls, cm.group(3), False, where, counter)
                body.append(f"{header} struct {wrap} {{")
                body += b2
                body.append(f"}};\ntemplate struct {wrap}<{inst[cm.group(2)]}>;")
                continue
            # any other template: checked by name only (its signature is the text's)
            am = re.match(r"^(?:using (\w+) =|(?:struct|class|concept) (\w+))", rest)
            fm = re.search(r"\b(\w+)\s*\(", rest)
            nm = (am.group(1) or am.group(2)) if am else (fm.group(1) if fm else None)
            if not nm:
                raise SnippetError(f"{where}: cannot read the name of '{st[:80]}'")
            body.append(f"using ::{ns}::{nm};")
            continue
        m = re.match(r"^using (\w+) = (.*)$", st)
        if m:
            body.append(f"static_assert(std::is_same_v<::{ns}::{m.group(1)}, {m.group(2)}>, {fail(m.group(1) + ' is not ' + m.group(2))});")
            continue
        f = function_parts(re.sub(r"^(inline|constexpr)\s+", "", st))
        if f:
            ret, fname, types, quals = f
            body.append(f"static_assert(sizeof(static_cast<{ret} (*)({', '.join(types)})>(&::{ns}::{fname})) > 0, "
                        f"{fail(f'{fname} is not as listed')});")
            continue
        raise SnippetError(f"{where}: cannot check '{st[:80]}'")
    w.raw(f"namespace {ns} {{\nnamespace {chk} {{")
    emit_lines(w, rel, setup)
    w.raw("\n".join(body))
    w.raw("int defaults() {\n  int wrong = 0;")
    for st, mname, t, init in defaults:
        value = f"return {init[1:].strip()};" if init.startswith("=") else f"return {t}{init};"
        w.raw(f"  if (!::snippet_default_is(&{st}::{mname}, []() -> {t} {{ {value} }})) {{\n"
              f'    std::fprintf(stderr, "{where}: the default of {st}::{mname} is not the one listed\\n");\n'
              f"    ++wrong;\n  }}")
    w.raw("  return wrong;\n}")
    w.raw(f"}}  // namespace {chk}\n}}  // namespace {ns}")
    return f"::{ns}::{chk}::defaults"


def generate(doc, out, have, root):
    rel = doc.resolve().relative_to(root.resolve()).as_posix()
    blocks = parse(doc, rel)
    gen_name = out.name
    w = Writer(gen_name)
    w.raw(f"// Generated by scripts/docs-snippets.py from {rel}: every ```cpp block of it. Do not edit.")
    skipped, runs = [], []
    kept, skipping = [], False
    for b in blocks:
        needs = [n for n in b["options"].get("needs", "").split(",") if n]
        missing = [n for n in needs if n not in have]
        if "continue" not in b["flags"]:
            skipping = bool(missing)
        if missing or ("continue" in b["flags"] and skipping):
            why = f"needs {', '.join(missing)}" if missing else "continues a block left out"
            skipped.append(f"{rel}:{b['line'] - 1}: left out ({why})")
            continue
        kept.append(b)
    # includes first
    for b in kept:
        incs, _ = split_includes(b["setup"], b["setup_line"])
        incs2, _ = split_includes(b["code"], b["line"])
        for n, l in incs + incs2:
            w.at(rel, n, [l])
    w.raw(PRELUDE)
    w.raw("""#include <concepts>
#include <cstdio>
#include <type_traits>
// declarations blocks: is the default of member m of S the listed one? (true when S has no
// default constructor or the member's type no ==)
template <class S, class T, class F> bool snippet_default_is(T S::*m, F listed) {
  if constexpr (std::is_default_constructible_v<S> && std::equality_comparable<T>) {
    return S{}.*m == listed();
  } else {
    return true;
  }
}""")
    w.raw("namespace snippet_doc {")
    functions = []      # names of fragment functions
    open_fn = None      # the fragment function still open (a following 'continue' appends)
    in_doc_ns = True

    def close_fn():
        nonlocal open_fn
        if open_fn:
            w.raw("}")
            open_fn = None

    def ensure_ns(want):
        nonlocal in_doc_ns
        if want != in_doc_ns:
            w.raw("namespace snippet_doc {" if want else "}  // namespace snippet_doc")
            in_doc_ns = want

    for b in kept:
        line = b["line"]
        _, setup = split_includes(b["setup"], b["setup_line"])
        after = []
        for k, (n, l) in enumerate(setup):
            if l.strip() == "// after:":
                setup, after = setup[:k], setup[k + 1:]
                break
        ns_setup = [(n, l[1:]) for n, l in setup if l.startswith("@")]
        setup = [(n, l) for n, l in setup if not l.startswith("@")]
        _, code = split_includes(b["code"], line)
        kind = b["kind"]
        if kind == "fragment" and "continue" in b["flags"]:
            if not open_fn:
                raise SnippetError(f"{rel}:{line - 1}: 'continue' with no fragment before it")
            if ns_setup:
                raise SnippetError(f"{rel}:{line - 1}: '@' setup lines cannot continue a function")
            w.raw("{")   # in a scope of its own: it may reuse a name the text reuses
            emit_lines(w, rel, setup)
            emit_lines(w, rel, code)
            emit_lines(w, rel, after)
            w.raw("}")
            if "run" in b["flags"]:
                runs[-1]["runs"] = True
            continue
        close_fn()
        if kind == "global":
            ensure_ns(False)
            emit_lines(w, rel, ns_setup + setup)
            emit_lines(w, rel, code)
            continue
        if kind == "declarations":
            ensure_ns(False)
            name = declarations(w, rel, b, ns_setup + setup, code)
            functions.append(name)
            runs.append({"entry": name.lstrip(":"), "where": f"{rel}:{line - 1}", "runs": True, "files": "", "args": []})
            continue
        ensure_ns(True)
        if kind == "namespace":
            emit_lines(w, rel, ns_setup + setup)
            emit_lines(w, rel, code)
        elif kind == "fragment":
            name = f"snippet_{line}"
            emit_lines(w, rel, ns_setup)
            w.raw(f"[[maybe_unused]] void {name}() {{")
            emit_lines(w, rel, setup)
            emit_lines(w, rel, code)
            emit_lines(w, rel, after)
            open_fn = name
            functions.append(name)
            runs.append({"entry": name, "where": f"{rel}:{line - 1}", "runs": "run" in b["flags"],
                         "files": b["options"].get("files", ""), "args": []})
        else:  # program: a namespace of its own, outside the doc's
            ensure_ns(False)
            ns = f"snippet_{line}"
            w.raw(f"namespace {ns} {{")
            emit_lines(w, rel, ns_setup + setup)
            renamed = [(n, re.sub(r"\bint\s+main\s*\(", "auto snippet_main(", l)) for n, l in code]
            emit_lines(w, rel, renamed)
            w.raw(f"}}  // namespace {ns}")
            functions.append(f"{ns}::snippet_main")
            runs.append({"entry": f"{ns}::snippet_main", "where": f"{rel}:{line - 1}",
                         "runs": "compile-only" not in b["flags"], "files": b["options"].get("files", ""),
                         "args": shlex.split(b["options"].get("args", ""))})
    close_fn()
    ensure_ns(False)
    # the dispatcher: argv[1] names the entry
    w.raw("""
#include <cstdio>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <type_traits>
namespace {
template <class F> int snippet_call(F f, int argc, char** argv) try {
  if constexpr (std::is_invocable_v<F, int, char**>) {
    return f(argc, argv);
  } else if constexpr (std::is_same_v<std::invoke_result_t<F>, void>) {
    f();
    return 0;
  } else {
    return f();
  }
} catch (const std::exception& e) {
  std::fprintf(stderr, "the snippet threw: %s\\n", e.what());
  return 1;
}
}  // namespace
int main(int argc, char** argv) {
  if (argc < 2) { std::fprintf(stderr, "usage: %s ENTRY [ARGS...]\\n", argv[0]); return 2; }""")
    for name in functions:
        qual = name if "::" in name else f"snippet_doc::{name}"
        name = name.lstrip(":")
        w.raw(f'  if (std::strcmp(argv[1], "{name}") == 0) return snippet_call(&{qual}, argc - 1, argv + 1);')
    w.raw('  std::fprintf(stderr, "no snippet entry %s\\n", argv[1]);\n  return 2;\n}')
    text = "\n".join(w.out) + "\n"
    if not out.exists() or out.read_text(encoding="utf-8") != text:
        out.write_text(text, encoding="utf-8")
    manifest = {"doc": rel, "blocks": len(blocks), "compiled": len(kept), "skipped": skipped,
                "entries": runs}
    out.with_suffix(".json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")


def run(manifest_path, exe, workdir, root, build):
    if build:
        print("build:", " ".join(build), flush=True)
        if subprocess.call(build) != 0:
            print("docs-snippets: the snippets do not compile (errors above name the doc's file:line)")
            return 1
    m = json.loads(pathlib.Path(manifest_path).read_text(encoding="utf-8"))
    for s in m["skipped"]:
        print(s)
    failures, ran = 0, 0
    workdir = pathlib.Path(workdir)
    for e in m["entries"]:
        if not e["runs"]:
            print(f"{e['where']}: compiled")
            continue
        cwd = workdir / e["entry"].replace("::", "_")
        shutil.rmtree(cwd, ignore_errors=True)
        cwd.mkdir(parents=True)
        for spec in [s for s in e["files"].split(",") if s]:
            dest, _, src = spec.partition(":")
            src_path = root / src
            if src_path.is_dir():
                shutil.copytree(src_path, cwd / dest)
            else:
                (cwd / dest).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src_path, cwd / dest)
        cmd = [str(pathlib.Path(exe).resolve()), e["entry"]] + e["args"]
        proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        ran += 1
        status = "ran" if proc.returncode == 0 else f"FAILED (exit {proc.returncode})"
        print(f"{e['where']}: compiled, {status} in {cwd}")
        if proc.returncode != 0:
            failures += 1
            print(proc.stdout[-4000:])
    print(f"{m['doc']}: {m['compiled']} of {m['blocks']} blocks compiled, {ran} run, {failures} failed")
    return 1 if failures else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("generate")
    g.add_argument("doc")
    g.add_argument("out")
    g.add_argument("--have", default="")
    g.add_argument("--root", default=str(pathlib.Path(__file__).resolve().parents[1]))
    r = sub.add_parser("run")
    r.add_argument("manifest")
    r.add_argument("exe")
    r.add_argument("workdir")
    r.add_argument("--root", default=str(pathlib.Path(__file__).resolve().parents[1]))
    r.add_argument("--build", nargs=argparse.REMAINDER, default=[])
    l = sub.add_parser("list")
    l.add_argument("--root", default=str(pathlib.Path(__file__).resolve().parents[1]))
    a = ap.parse_args()
    root = pathlib.Path(a.root)
    try:
        if a.cmd == "generate":
            generate(pathlib.Path(a.doc), pathlib.Path(a.out), set(x for x in a.have.split(",") if x), root)
            return 0
        if a.cmd == "run":
            return run(a.manifest, a.exe, a.workdir, root, a.build)
        for f in doc_files(root):
            rel = f.relative_to(root).as_posix()
            for b in parse(f, rel):
                extra = " ".join(sorted(b["flags"]) + [f"{k}={v}" for k, v in b["options"].items()])
                print(f"{rel}:{b['line'] - 1}: {b['kind']} {extra}".rstrip())
        return 0
    except SnippetError as err:
        print(f"docs-snippets: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
