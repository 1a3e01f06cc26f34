"""Each program here must write the YAML the TypeScript synth wrote, byte for byte.

test/lang/run.sh sets LANG_EXPECTED_DIR to the directory holding the TypeScript output.
"""
import difflib
import os
import pathlib

import probe


def assert_same_yaml(got_file: pathlib.Path, want_file: pathlib.Path) -> None:
    got = got_file.read_bytes()
    want = want_file.read_bytes()
    if got != want:
        diff = difflib.unified_diff(
            want.decode().splitlines(keepends=True),
            got.decode().splitlines(keepends=True),
            fromfile=f"TypeScript {want_file}",
            tofile=f"Python {got_file}",
        )
        raise AssertionError("YAML differs from the TypeScript synth:\n" + "".join(diff))


def expected_dir() -> pathlib.Path:
    return pathlib.Path(os.environ["LANG_EXPECTED_DIR"])


def test_probe_chart_matches_typescript(tmp_path):
    probe.synth(str(tmp_path))
    assert_same_yaml(tmp_path / "probe.k8s.yaml", expected_dir() / "probe.k8s.yaml")
