"""Count the fuzz suite's internal errors per command without stopping at the first.

Run ``python tests/fuzz/counts.py [EXAMPLES_PER_SEED]`` from the repository root: it draws the
same mutations as ``test_fuzz.py`` (random, not derandomized), runs every command on each and
prints, per command, the runs, successes, refusals, internal errors, the largest CPU time, and
each distinct internal error once with a spec that shows it.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def main(per_seed: int = 20) -> int:
    from tests.fuzz.harness import SEEDS, commands_for, mutations, run_cli

    runs, ok, refused, cpu = Counter(), Counter(), Counter(), defaultdict(float)
    found: dict[tuple[str, str], str] = {}
    folder = Path(tempfile.mkdtemp())
    path = folder / "m.json"
    for _name, seed in sorted(SEEDS.items()):

        @settings(
            max_examples=per_seed,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(mutations(seed), st.data())
        def one(spec, data):
            path.write_text(json.dumps(spec))
            argv = data.draw(st.sampled_from(commands_for(str(path))))
            outcome = run_cli(argv, input_names=[str(path)])
            command = outcome.command
            runs[command] += 1
            cpu[command] = max(cpu[command], outcome.cpu)
            if outcome.internal is not None:
                key = (command, outcome.internal.split(":")[0] + ":" + outcome.internal[:90])
                found.setdefault(key, json.dumps(spec)[:400])
            elif outcome.status == 2:
                refused[command] += 1
            else:
                ok[command] += 1

        one()
    internal = Counter(command for command, _ in found)
    print(f"{'command':24} runs   ok  refused  internal(distinct)  max CPU s")
    for command in sorted(runs):
        print(
            f"{command:24} {runs[command]:4} {ok[command]:4} {refused[command]:8} "
            f"{internal[command]:10} {cpu[command]:14.2f}"
        )
    for (command, message), spec in sorted(found.items()):
        print(f"\n[{command}] {message}\n  spec: {spec}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    raise SystemExit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 20))
