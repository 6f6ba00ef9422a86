"""Command-line entry point: `paralift analyze | rewrite | verify | check | lsp`, and the model
commands of `paralift.translator_model.commands`."""
from __future__ import annotations

import argparse
import json
import sys

from paralift import __version__, targets
from paralift.translator_model import commands

EXIT_OK, EXIT_CHANGED, EXIT_INPUT_ERROR = 0, 1, 2
EXIT_REFUSED = 3  # `rewrite`: a function's rewrite failed verification (it was left as it was)

_ANALYZE_HELP = """\
Analyze every loop of the Python functions in PATH (files or directories, walked
recursively) and say whether its iterations can run at once:

  parallel     iterations are independent (perhaps once some scalars are private)
  reduction    independent except for the listed reductions, e.g. reduction(+:s)
  sequential   an iteration depends on another; the reasons name both accesses

Array parameters are assumed not to alias one another.
Exit status: 0 on success, 2 if a file could not be read or parsed (the others are
still analyzed and reported).
"""


_REWRITE_HELP = """\
Rewrite the parallel loops of Python kernels for Numba (`numba.prange`) and of C kernels
for OpenMP (`#pragma omp parallel for`), keeping comments and formatting. Every rewritten
function is run against the original on generated inputs (1, 2 and 4 threads; C compiled
with gcc -O2 -fopenmp) before anything is written; a function whose rewrite fails is left
as it was, and the counterexample is printed. A file that changed while it was verified
is not overwritten. Writes go through symlinks and keep mode, owner and hard links.

Without --in-place or -o, the unified diff is printed and no file is touched. The run ends
with a summary: functions rewritten, refused (not verified) and loops left sequential.
Exit status: 0 if nothing changed, 1 if something changed (or would change; see
--exit-zero-even-if-changed), 2 if a file could not be read or parsed, 3 if a function's
rewrite was refused by the tester (the others are still written). 2 wins over 3, 3 over 1.
"""

_VERIFY_HELP = """\
Check that FUNCTION in NEW behaves like FUNCTION in ORIGINAL: both run on the same
generated inputs (the candidate under Numba with 1, 2 and 4 threads) and every array
argument and the return value are compared. Integers must match exactly; where the
original raises, NEW must raise too; the loops must have run with several trip counts.
NEW runs in the sandbox (no network, scrubbed environment, temporary home, limits), as a
model's code does. A failure is shrunk to a small counterexample.
Exit status: 0 if all are equivalent, 1 if not, 2 on bad input.
"""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="paralift", description="Turn sequential numeric kernels "
                                "into verified parallel code.")
    p.add_argument("--version", action="version", version=f"paralift {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    a = sub.add_parser("analyze", help="report which loops can run in parallel and why",
                       description=_ANALYZE_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    a.add_argument("paths", nargs="+", metavar="PATH", help="Python or C files, or directories")
    a.add_argument("--format", choices=("table", "text", "json", "html"), default=None,
                   help="table: for a terminal (the default there); text: one `file:line:col: ...` line "
                        "per loop and per reason (the default into a pipe or file); json: the "
                        "machine-readable report; html: one self-contained page with the source, each "
                        "loop coloured by verdict (use -o)")
    a.add_argument("--json", action="store_true", help="the same as --format json")
    a.add_argument("-o", "--output", metavar="FILE", help="write the report here (html: the page)")
    a.add_argument("--no-progress", action="store_true", help="never show a progress bar")
    _build_options(a)

    r = sub.add_parser("rewrite", help="rewrite parallel loops for a target, verified",
                       description=_REWRITE_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    r.add_argument("paths", nargs="+", metavar="PATH", help="Python or C files, or directories")
    r.add_argument("--target", choices=targets.NAMES, default=None,
                   help="what to emit: " + "; ".join(
                       f"{t.name}: {t.title} for {' and '.join(t.languages)}" for t in targets.TARGETS.values())
                   + " (default: " + ", ".join(f"{d} for {lang}" for lang, d in targets.DEFAULT.items())
                   + "; CUDA and MPI from C make a new file: use -o)")
    mode = r.add_mutually_exclusive_group()
    mode.add_argument("--diff", action="store_true", help="print a unified diff (the default)")
    mode.add_argument("--in-place", action="store_true", help="rewrite the files themselves")
    mode.add_argument("-o", "--output", metavar="OUT", help="write the result here (one input file)")
    r.add_argument("--function", action="append", metavar="NAME",
                   help="only rewrite this function (repeatable)")
    r.add_argument("--no-verify", action="store_true", help="skip the equivalence tester (not advised)")
    r.add_argument("--marked", action="store_true",
                   help="only functions marked `# paralift: numba|openmp|cuda|mpi` (or `//` in C), each "
                        "for its marked target (the pre-commit hook's mode)")
    r.add_argument("--tsan", action="store_true",
                   help="C: also run a ThreadSanitizer build and print the races it reports")
    r.add_argument("--transform", choices=("auto", "none", "all"), default="auto",
                   help="loop transformations (the numba and openmp targets), shown by `analyze` as hints: a "
                        "wavefront for a nest with no parallel loop as written, an interchange (split and swap) "
                        "for a nest that walks down columns, tiles for a nest that walks an array larger than "
                        "the cache ($PARALIFT_CACHE_SIZE, else the machine's L2), time tiles for a time loop "
                        "over sweeps whose arrays outgrow it, a new loop order (lu's right-looking) where "
                        "work runs outside every parallel loop, and fusion of sibling nests that share arrays "
                        "larger than the cache. auto (the default): wavefronts where the cost "
                        "model expects a gain, and every other; all: every legal wavefront too; none: never. "
                        "Transformed functions are verified against the original like any other")
    _tester_options(r)
    _build_options(r)
    r.add_argument("--exit-zero-even-if-changed", action="store_true",
                   help="exit 0 even when files were changed")

    c = sub.add_parser("check", help="verify loops that are already parallel (prange, omp for)",
                       description=_check_help(), formatter_class=argparse.RawDescriptionHelpFormatter)
    c.add_argument("paths", nargs="+", metavar="PATH", help="Python or C files, or directories")
    c.add_argument("--format", choices=["text", "json", "sarif"], default="text",
                   help="text lines (default), JSON, or SARIF 2.1.0 for GitHub code scanning")
    c.add_argument("--suggest", action="store_true",
                   help="also note sequential loops that could run in parallel (PL110)")
    _build_options(c)

    commands.add_parsers(sub)

    sub.add_parser("lsp", help="run the language server on stdin/stdout (for editors)",
                   description="Run paralift's language server (LSP over stdio): loop diagnostics as you type, "
                               "hover explanations of verdicts, and verified rewrites as code actions. Editors "
                               "start it themselves; see the README for VS Code, Neovim and Helix.")

    v = sub.add_parser("verify", help="check that a rewritten function matches the original",
                       description=_VERIFY_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    v.add_argument("original", metavar="ORIGINAL")
    v.add_argument("new", metavar="NEW")
    v.add_argument("--function", action="append", required=True, metavar="NAME",
                   help="the function to compare (repeatable)")
    v.add_argument("--cases", type=int, default=40, help="inputs per function (default 40)")
    v.add_argument("--tsan", action="store_true",
                   help="C: also run a ThreadSanitizer build and print the races it reports")
    _tester_options(v)
    _build_options(v)
    return p


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0 seconds: {text!r}")
    return value


def _build_options(p: argparse.ArgumentParser) -> None:
    """C build flags: the preprocessor and every compile of the tester use them."""
    g = p.add_argument_group("C build flags", "as the build passes them; the file's own directory is always "
                             "searched for its headers")
    g.add_argument("-I", dest="include", action="append", default=[], metavar="DIR",
                   help="an include directory (repeatable)")
    g.add_argument("-D", dest="define", action="append", default=[], metavar="NAME[=VALUE]",
                   help="define a macro (repeatable)")
    g.add_argument("-U", dest="undefine", action="append", default=[], metavar="NAME",
                   help="undefine a macro (repeatable)")
    g.add_argument("--std", metavar="STD", help="the language standard (default: the compiler's)")
    g.add_argument("-p", dest="build_dir", metavar="BUILD_DIR",
                   help="take each file's flags from BUILD_DIR/compile_commands.json, as clang-tidy does "
                        "(CMake writes it with -DCMAKE_EXPORT_COMPILE_COMMANDS=ON). Without it, the nearest "
                        "compile_commands.json at or above the file (or in a build/ there) is used")
    g.add_argument("--compile-commands", metavar="FILE",
                   help="take each file's flags from this compilation database")


def _tester_options(p: argparse.ArgumentParser) -> None:
    from paralift.verify.options import DEFAULT_TIMEOUT
    p.add_argument("--timeout", type=_positive_seconds, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                   help=f"limit on each call of the original or the candidate (default {DEFAULT_TIMEOUT:g}); "
                        "an original that runs longer is refused, not waited for")
    p.add_argument("--assume-int64", action="store_true",
                   help="accept C integer semantics: inputs on which the original computes an integer "
                        "outside int64 (which Numba and C wrap around) are skipped instead of refusing")
    p.add_argument("--pytest", metavar="DIR",
                   help="also run your pytest suite in DIR with the rewritten module in place of the "
                        "original (in a copy of the project: your files are not touched); a rewrite your "
                        "tests fail is not written")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="print a refused function's whole error (a Numba typing error in full), not its gist")
    p.add_argument("--inputs", metavar="FILE.py:FUNCTION",
                   help="inputs to test first: FUNCTION(kernel_name) returns argument tuples. Without "
                        "it, a function `paralift_inputs_<kernel>()` in the kernel's file or in a "
                        "conftest.py beside it is used")


def _cflags(args: argparse.Namespace) -> list[str]:
    """The user's C build flags, as the compiler takes them."""
    return ([f"-I{d}" for d in args.include] + [f"-D{d}" for d in args.define]
            + [f"-U{d}" for d in args.undefine] + ([f"-std={args.std}"] if args.std else []))


def _with_build_flags(args: argparse.Namespace, run) -> int:
    """Run a command with the user's C flags and compilation database in force."""
    from paralift.cbuild import DatabaseError, build_flags, load_database
    where = args.compile_commands or args.build_dir
    try:
        database = load_database(where) if where else None
    except DatabaseError as err:
        print(f"paralift: {err}", file=sys.stderr)
        return EXIT_INPUT_ERROR
    with build_flags(_cflags(args), database):
        return run(args)


def _options(args: argparse.Namespace):
    from paralift.verify.options import TesterOptions
    return TesterOptions(timeout=args.timeout, assume_int64=args.assume_int64, inputs=args.inputs)


def _analyze(args: argparse.Namespace) -> int:
    from rich.console import Console

    from paralift.analysis import FileAnalysis, analyze_file
    from paralift.diagnostics import Diagnostic
    from paralift.files import expand_paths
    from paralift.report import render_text

    out, err = Console(), Console(stderr=True)
    form = "json" if args.json else args.format or ("table" if out.is_terminal else "text")
    inputs = list(expand_paths(args.paths))
    results: list[FileAnalysis] = []
    show_progress = not args.no_progress and err.is_terminal and len(inputs) > 20
    with err.status("analyzing...", spinner="dots") if show_progress else _Null() as status:
        for n, t in enumerate(inputs, 1):
            if isinstance(t, Diagnostic):
                results.append(FileAnalysis(t.span.file, "unknown", errors=(t,)))
                continue
            if show_progress:
                status.update(f"analyzing {t} ({n}/{len(inputs)})")
            results.append(analyze_file(t))
            if form == "table":
                render_text(results[-1], out)
    _emit_report(form, results, out, args.output)
    failed = [r for r in results if r.errors]
    if failed:
        err.print(f"paralift: {len(failed)} of {len(results)} file(s) had errors", highlight=False)
    return EXIT_INPUT_ERROR if failed else EXIT_OK


def _emit_report(form: str, results, out, output: str | None) -> None:
    from paralift.report import render_lines, render_text, report_json
    if form == "table":
        for r in results:
            if r.errors and r.language == "unknown":
                render_text(r, out)
        return
    if form == "json":
        text = json.dumps(report_json(results), indent=1) + "\n"
    elif form == "html":
        from paralift.html_report import render_html
        text = render_html(results)
    else:
        text = "".join(line + "\n" for r in results for line in render_lines(r))
    if output:
        from paralift.files import write_back
        write_back(output, text)
    else:
        sys.stdout.write(text)


class _Null:
    """A stand-in for rich's status when there is no terminal to draw it on."""

    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def _rewrite(args: argparse.Namespace) -> int:
    from rich.console import Console

    from paralift.diagnostics import Diagnostic
    from paralift.files import expand_paths

    err = Console(stderr=True, highlight=False, soft_wrap=True)
    inputs = list(expand_paths(args.paths))
    if args.output and len(inputs) != 1:
        err.print("paralift: -o needs exactly one input file")
        return EXIT_INPUT_ERROR
    changed = failed = False
    tally = _Tally()
    for t in inputs:
        if isinstance(t, Diagnostic):
            err.print(f"{t.span.where()}: error {t.code}: {t.message}")
            failed = True
            continue
        res = _rewrite_one(t, args, err)
        for e in res.errors:
            err.print(f"{e.span.where()}: error {e.code}: {e.message}")
            failed = True
        for w in res.warnings:
            err.print(f"{w.span.where()}: warning {w.code}: {w.message}")
        _report_plans(res, err, args.verbose)
        if res.changed and args.pytest and not _suite_agrees(t, res, args.pytest, err):
            tally.refused += 1
            continue
        tally.add(res, err, quiet=args.marked)  # (pre-commit: files without markers say nothing)
        if res.changed:
            changed = True
            failed |= not _deliver(t, res, args, err)
    tally.print(err)
    if failed:
        return EXIT_INPUT_ERROR
    if tally.refused:
        return EXIT_REFUSED
    return EXIT_CHANGED if changed and not args.exit_zero_even_if_changed else EXIT_OK


def _rewrite_one(path: str, args: argparse.Namespace, err):
    """One file rewritten and verified, with a spinner on a terminal."""
    from paralift.rewriting import rewrite_file, rewrite_marked
    status = err.status(f"verifying {path}", spinner="dots") if err.is_terminal else _Null()
    with status as st:
        progress = (lambda name: st.update(f"verifying {path}: {name}")) if st else None
        if args.marked:
            return rewrite_marked(path, check=not args.no_verify, progress=progress, options=_options(args))
        return rewrite_file(path, target=args.target, functions=set(args.function) if args.function else None,
                            check=not args.no_verify, progress=progress, tsan=args.tsan, options=_options(args),
                            transform=args.transform)


def _deliver(path: str, res, args: argparse.Namespace, err) -> bool:
    """Write the rewrite (`--in-place`, `-o`) or print its diff; False if it cannot be written."""
    import difflib

    from paralift.files import WriteError, language_of, source_lines, write_back
    if args.in_place or args.output:
        dest = args.output or path
        try:
            write_back(dest, res.result, read_as=res.original if args.in_place else None)
        except WriteError as why:
            err.print(f"{dest}: cannot write: {why}")
            return False
        err.print(f"Rewriting {dest}")
        return True
    target = args.target or targets.default_for(language_of(path) or "python")
    sys.stdout.writelines(difflib.unified_diff(
        source_lines(res.original, keepends=True), source_lines(res.result, keepends=True),
        path, f"{path} ({target})"))
    return True


def _suite_agrees(path: str, res, tests: str, err) -> bool:
    """The user's own tests on the rewrite (`--pytest`): False refuses the file's rewrite."""
    from paralift.verify.suite import judge
    v = judge(path, res.original, res.result, tests)
    err.print(f"{path}: {'not rewritten: ' if v.ok is False else ''}{v.message}", markup=False)
    return v.ok is not False


class _Tally:
    """What a `rewrite` run did, for its last line."""

    def __init__(self):
        self.rewritten = self.refused = self.sequential = self.files = 0

    def add(self, res, err, quiet: bool = False) -> None:
        if res.errors:
            return
        self.files += 1
        self.rewritten += len({p.name for p in res.plans if p.loops} - {v.function for v in res.refused}) \
            if res.changed else 0
        self.refused += len(res.refused)
        self.sequential += res.sequential
        if not quiet and not any(p.loops for p in res.plans) and not res.parallel:
            err.print(f"{res.path}: no loop can run in parallel; see `paralift analyze {res.path}`")

    def print(self, err) -> None:
        if self.files:
            err.print(f"paralift: {self.rewritten} function(s) rewritten, {self.refused} refused (not "
                      f"verified, left as they were), {self.sequential} loop(s) left sequential")


def _report_plans(res, err, verbose: bool = False) -> None:
    from rich.markup import escape

    for plan in res.plans:
        for skip in plan.skipped:
            err.print(escape(f"{res.path}:{skip.line}: {plan.name}: left sequential: {skip.reason}"))
    for v in res.verdicts:
        err.print(escape(v.summary()))
    for v in res.refused:
        err.print(escape(f"{res.path}: not rewritten: {v.summary()}"))
        if verbose and v.detail:
            err.print(escape(v.detail))


def _verify(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.markup import escape

    from paralift.files import language_of, read_source
    from paralift.verify.tester import verify

    err = Console(stderr=True, highlight=False, soft_wrap=True)
    sources = []
    for path in (args.original, args.new):
        text, problem = read_source(path)
        if problem is not None:
            err.print(escape(f"{problem.span.where()}: error {problem.code}: {problem.message}"))
            return EXIT_INPUT_ERROR
        sources.append(text)
    ok = True
    from paralift.verify.sandbox import confined
    from paralift.verify.sessions import RaceLog
    # NEW is code paralift did not write: it runs in the sandbox, like a model's
    with confined(), RaceLog(sources[1], args.new, options=_options(args)) as race_log:  # prange loops too
        for name in args.function:
            if language_of(args.new) == "c":
                from paralift.verify.ctester import verify_c
                v = verify_c(sources[0], sources[1], name, args.new, cases=args.cases, tsan=args.tsan)
            else:
                v = race_log.check(verify(sources[0], sources[1], name, args.new, cases=args.cases,
                                          options=_options(args)), sources[0])
            print(v.summary())
            if args.verbose and not v.ok and v.detail:
                print(v.detail)
            ok &= v.ok
        if args.pytest:
            from paralift.verify.suite import judge
            suite = judge(args.original, sources[0], sources[1], args.pytest)
            print(suite.message)
            ok &= suite.ok is not False
    return EXIT_OK if ok else EXIT_CHANGED


def _check_help() -> str:
    """`paralift check --help`: the code table comes from the registry (diagnostics.CODES)."""
    import textwrap

    from paralift.diagnostics import Severity, checker_codes
    heading = {Severity.ERROR: "errors (exit 1):", Severity.WARNING: "warnings and notes:"}
    rows, seen = [], set()
    for c in checker_codes():
        title = heading.get(c.severity, heading[Severity.WARNING])
        if title not in seen:
            rows.append(title)
            seen.add(title)
        rows += textwrap.wrap(c.summary, 88, initial_indent=f"  {c.code} {c.name:<20} ", subsequent_indent=" " * 29)
    return ("Check loops that are already parallel: Numba or Cython `prange` loops in Python, and\n"
            "loops under `#pragma omp parallel for` / `#pragma omp for` in C.\n\n" + "\n".join(rows) +
            "\n\nSilence a code on a loop with a comment on its line or its pragma's: `# paralift: ignore[PL106]`\n"
            "(Python) or `// paralift: ignore[PL106]` (C). Exit status: 0 clean, 1 errors found, 2 unreadable or\n"
            "unparsable input (the other files are still checked).\n")


def _check(args: argparse.Namespace) -> int:
    from paralift.check import CheckResult, check_source
    from paralift.check_report import report_json, report_sarif, text_lines
    from paralift.diagnostics import Diagnostic, Severity
    from paralift.files import expand_paths, language_of, read_source
    results = []
    for t in expand_paths(args.paths):
        if isinstance(t, Diagnostic):
            results.append(CheckResult(t.span.file, errors=(t,)))
            continue
        source, problem = read_source(t)
        if problem is not None:
            results.append(CheckResult(t, errors=(problem,)))
            continue
        results.append(check_source(source, t, language_of(t) or "python", args.suggest))
    if args.format == "json":
        sys.stdout.write(json.dumps(report_json(results), indent=1) + "\n")
    elif args.format == "sarif":
        sys.stdout.write(json.dumps(report_sarif(results), indent=1) + "\n")
    else:
        for line in text_lines(results):
            print(line)
        checked = sum(r.checked for r in results)
        n_err = sum(d.severity == Severity.ERROR for r in results for d in r.diagnostics)
        print(f"paralift: {checked} parallel loop(s) checked in {len(results)} file(s), {n_err} error(s)",
              file=sys.stderr)
    if any(r.errors for r in results):
        return EXIT_INPUT_ERROR
    return EXIT_CHANGED if any(d.severity == Severity.ERROR for r in results for d in r.diagnostics) else EXIT_OK


EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it


def main(argv: list[str] | None = None) -> int:
    """Run one command. Ctrl-C ends it quietly with 130; SIGTERM with 143. Either way the
    context managers unwind, so workers, sandboxes and temporary directories go too."""
    import signal

    def terminated(signum, frame):
        raise SystemExit(128 + signum)
    previous = signal.signal(signal.SIGTERM, terminated) if _main_thread() else None
    try:
        return _command(argv)
    except KeyboardInterrupt:
        print("paralift: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _main_thread() -> bool:
    import threading
    return threading.current_thread() is threading.main_thread()


def _command(argv: list[str] | None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "analyze":
        return _with_build_flags(args, _analyze)
    if args.command == "rewrite":
        return _with_build_flags(args, _rewrite)
    if args.command == "verify":
        return _with_build_flags(args, _verify)
    if args.command == "check":
        return _with_build_flags(args, _check)
    if args.command in commands.COMMANDS:
        return commands.run(args)
    if args.command == "lsp":
        from paralift.lsp import main as lsp_main
        lsp_main()
        return EXIT_OK
    _parser().print_help()
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
