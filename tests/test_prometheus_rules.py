"""The guide's alerting rules as a Prometheus rules file (prometheus/rules.yml), checked and
unit-tested by Debian's promtool (installed by `make install`, tools/install-prometheus.sh):
each rule fires on series that break its condition for longer than its `for` and stays quiet
otherwise (prometheus/rules.test.yml). The file carries every rule zkwork.monitoring knows
from the guide, with the guide's thresholds."""
import shutil
import subprocess

import pytest
import yaml

from zkwork.capacity import guide_value
from zkwork.monitoring import NOT_EVALUATED, RULES
from zkwork.resources import resource_dir

RULES_DIR = resource_dir("prometheus")


def promtool(*args):
    """Run promtool in prometheus/; fails naming the installer when it is missing."""
    executable = shutil.which("promtool")
    assert executable, "promtool is missing: run `make install` as root, or tools/install-prometheus.sh"
    return subprocess.run([executable, *args], cwd=RULES_DIR, capture_output=True, text=True, timeout=120)


def rules_by_name():
    groups = yaml.safe_load((RULES_DIR / "rules.yml").read_text())["groups"]
    return {rule["alert"]: rule for group in groups for rule in group["rules"]}


def test_promtool_accepts_the_rules():
    result = promtool("check", "rules", "rules.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(rules_by_name())} rules found" in result.stdout


def test_each_rule_fires_and_stays_quiet_as_specified():
    result = promtool("test", "rules", "rules.test.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    tested = {test["alertname"] for case in yaml.safe_load((RULES_DIR / "rules.test.yml").read_text())["tests"]
              for test in case["alert_rule_test"] if test["exp_alerts"]}
    assert tested == set(rules_by_name())  # every rule is shown firing


def test_a_broken_rule_is_caught(tmp_path):
    """The unit tests can fail: with the latency threshold moved, the expected alert is missing."""
    (tmp_path / "rules.yml").write_text((RULES_DIR / "rules.yml").read_text().replace(") > 1000", ") > 5000"))
    (tmp_path / "rules.test.yml").write_text((RULES_DIR / "rules.test.yml").read_text())
    result = subprocess.run([shutil.which("promtool") or "promtool", "test", "rules", "rules.test.yml"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "HighProofGenerationLatency" in result.stdout + result.stderr


def test_the_file_has_every_guide_rule_with_its_threshold():
    rules = rules_by_name()
    assert set(rules) == {rule.name for rule in RULES} | set(NOT_EVALUATED)
    for rule in RULES:
        threshold = rule.threshold
        if rule.name == "ProofGenerationDown":
            assert rules[rule.name]["expr"].endswith("== 0")
        else:
            assert rules[rule.name]["expr"].rstrip().endswith(f"> {threshold:g}"), rule.name
    assert f"> {guide_value('proof_latency_p95_ms'):g}" in rules["HighProofGenerationLatency"]["expr"]


@pytest.mark.parametrize("name, duration", [("ProofGenerationDown", "5m"), ("VerificationFailureSpike", "2m"),
                                            ("HighProofGenerationLatency", "10m"), ("HighCPUUsage", "15m"),
                                            ("DatabaseDown", "1m"), ("LowCacheHitRate", "1h")])
def test_the_guide_durations(name, duration):
    assert rules_by_name()[name]["for"] == duration
