"""The Python side of test/lang: the example shop must synthesize to dist/shop.k8s.yaml byte for
byte, so must the README's example, and a construct's error must reach Python with its message
intact.

test/lang/run.sh sets LANG_EXPECTED_DIR to the directory holding the TypeScript output (dist/) and
LANG_README_EXPECTED to what the README's example writes (test/lang/readme/shop.k8s.yaml).
"""
import difflib
import os
import pathlib
import subprocess
import sys

import pytest
from cdk8s import App, Chart
import cdk8s_plus_27 as kplus
from cdk8s_resilient import ResilientContainerProps, ResilientJob

import shop


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


def test_shop_matches_typescript(tmp_path):
    shop.synth(str(tmp_path))
    assert_same_yaml(tmp_path / "shop.k8s.yaml", expected_dir() / "shop.k8s.yaml")


def test_readme_example_matches_typescript(tmp_path):
    # The README's Python block (test/readme-examples.test.ts keeps the two equal), run as a user
    # runs it: a script with `App()`, which writes where CDK8S_OUTDIR says.
    subprocess.run(
        [sys.executable, "readme_example.py"],
        cwd=pathlib.Path(__file__).parent,
        env={**os.environ, "CDK8S_OUTDIR": str(tmp_path)},
        check=True,
    )
    assert_same_yaml(tmp_path / "shop.k8s.yaml", pathlib.Path(os.environ["LANG_README_EXPECTED"]))


def test_invalid_setting_reaches_python_with_path_field_value_and_fix():
    chart = Chart(App(), "shop")
    with pytest.raises(RuntimeError) as raised:
        ResilientJob(
            chart,
            "migrate",
            container=ResilientContainerProps(image="registry.example.com/shop/migrations:1.4.2"),
            restart_policy=kplus.RestartPolicy.ALWAYS,
        )
    assert str(raised.value) == (
        '[shop/migrate] restartPolicy: "Always" is not allowed for Jobs (Kubernetes accepts only Never or OnFailure). '
        "Fix: use RestartPolicy.NEVER (the default) or RestartPolicy.ON_FAILURE"
    )
