"""LSP latency: time from `didChange` to `publishDiagnostics` on a generated 2,000-line file.

    python benchmarks/lsp_latency.py [--edits 30]

Starts `paralift lsp` over stdio with pytest-lsp's client, opens the file, then makes edits
inside one line of a function (the common keystroke) and, separately, edits that insert a
line near the top (which moves every function below), waiting for the diagnostics of each
version. Prints the median and 90th percentile of each. The target is a median under 300 ms.
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

from lsprotocol import types
from pytest_lsp import ClientServerConfig

sys.path.insert(0, str(Path(__file__).parent))
from generate import generate  # noqa: E402

URI = "file:///bench/generated.py"


async def measure(edits: int) -> dict[str, list[float]]:
    source, loops = generate(300)
    config = ClientServerConfig(server_command=[sys.executable, "-m", "paralift", "lsp"])
    client = await config.start()
    await client.initialize_session(types.InitializeParams(capabilities=types.ClientCapabilities()))
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=URI, language_id="python", version=1, text=source)))
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    lines, version, out = source.splitlines(), 1, {"keystroke": [], "new line": []}
    rows = [n for n, line in enumerate(lines) if "range(n)" in line]
    for k in range(edits):
        for kind in out:
            version += 1
            if kind == "keystroke":
                n = rows[(k * 7) % len(rows)]
                lines[n] = lines[n].replace("range(n)", "range(0 + n)", 1) if "range(n)" in lines[n] \
                    else lines[n].replace("range(0 + n)", "range(n)", 1)
            else:
                lines.insert(3, f"# note {k}")
            t0 = time.perf_counter()
            client.text_document_did_change(types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=URI, version=version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text="\n".join(lines))]))
            while (await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)).version != version:
                pass
            out[kind].append(time.perf_counter() - t0)
    await client.shutdown_session()
    await config.stop() if hasattr(config, "stop") else None
    print(f"file: {len(lines)} lines, {loops} loops", file=sys.stderr)
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--edits", type=int, default=30)
    args = p.parse_args()
    results = asyncio.run(measure(args.edits))
    for kind, times in results.items():
        ms = sorted(t * 1000 for t in times)
        print(f"{kind:10s} didChange -> publishDiagnostics: median {statistics.median(ms):.0f} ms, "
              f"p90 {ms[int(0.9 * (len(ms) - 1))]:.0f} ms ({len(ms)} edits)")


if __name__ == "__main__":
    main()
