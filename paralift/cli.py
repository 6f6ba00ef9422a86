"""Command-line entry point: `paralift analyze PATH... [--json]`."""
from __future__ import annotations

import argparse
import json
import sys

from paralift import __version__

EXIT_OK, EXIT_INPUT_ERROR = 0, 2

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


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="paralift", description="Turn sequential numeric kernels "
                                "into verified parallel code.")
    p.add_argument("--version", action="version", version=f"paralift {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    a = sub.add_parser("analyze", help="report which loops can run in parallel and why",
                       description=_ANALYZE_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    a.add_argument("paths", nargs="+", metavar="PATH", help="Python files or directories")
    a.add_argument("--json", action="store_true", help="print the machine-readable JSON report")
    a.add_argument("--no-progress", action="store_true", help="never show a progress bar")
    return p


def _analyze(args: argparse.Namespace) -> int:
    from rich.console import Console

    from paralift.analysis import FileAnalysis, analyze_file, expand_paths
    from paralift.diagnostics import Diagnostic
    from paralift.report import render_text, report_json

    out, err = Console(), Console(stderr=True)
    targets = list(expand_paths(args.paths))
    results: list[FileAnalysis] = []
    show_progress = not args.no_progress and err.is_terminal and len(targets) > 20
    with err.status("analyzing...", spinner="dots") if show_progress else _Null() as status:
        for n, t in enumerate(targets, 1):
            if isinstance(t, Diagnostic):
                results.append(FileAnalysis(t.span.file, "unknown", errors=(t,)))
                continue
            if show_progress:
                status.update(f"analyzing {t} ({n}/{len(targets)})")
            results.append(analyze_file(t))
            if not args.json:
                render_text(results[-1], out)
    if args.json:
        sys.stdout.write(json.dumps(report_json(results), indent=1) + "\n")
    else:
        for r in results:
            if r.errors and r.language == "unknown":
                render_text(r, out)
    failed = [r for r in results if r.errors]
    if failed:
        err.print(f"paralift: {len(failed)} of {len(results)} file(s) had errors", highlight=False)
    return EXIT_INPUT_ERROR if failed else EXIT_OK


class _Null:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "analyze":
        return _analyze(args)
    _parser().print_help()
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
