"""Every page of the console: no browser console errors, no axe-core violations (WCAG 2 A/AA:
labels, contrast, landmarks, names), and a keyboard path from the top of the page."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from services._proto.tradeguard.aml.v1 import aml_pb2

from .conftest import World, sign_in

ROOT = Path(__file__).resolve().parents[3]
#: axe-core from npm, installed by `make test` (see the Makefile's AXE target).
AXE_JS = Path(
    os.environ.get("TRADEGUARD_AXE_JS", ROOT / ".venv/node/node_modules/axe-core/axe.min.js")
)
RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
   .then(result => done(result.violations.map(v => ({id: v.id, help: v.help,
        nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))))
   .catch(error => done([{id: 'axe-error', help: String(error), nodes: []}]));
"""


def _violations(browser: webdriver.Chrome) -> list[dict[str, object]]:
    if not AXE_JS.exists():
        pytest.fail(f"axe-core is missing at {AXE_JS}: run `make test` (it installs it)")
    browser.execute_script(AXE_JS.read_text(encoding="utf-8"))
    browser.set_script_timeout(60)
    return list(browser.execute_async_script(RUN_AXE))


def _errors(browser: webdriver.Chrome) -> list[str]:
    return [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]


def _confirmed(world: World) -> str:
    """An alert taken through review to CONFIRMED, so its report can be drafted."""
    alert = world.alerts("regulator", typology="PHANTOM_SHIPMENT", status=aml_pb2.NEW)[0]
    channel, stub = world.stub("regulator")
    with channel:
        for decision, note in (
            (aml_pb2.START_REVIEW, ""),
            (aml_pb2.CONFIRM, "paid, never shipped"),
        ):
            alert = stub.ReviewAlert(
                aml_pb2.ReviewAlertRequest(
                    alert_id=alert.alert_id, decision=decision, note=note,
                    expected_version=alert.version,
                )
            )  # fmt: skip
    return str(alert.alert_id)


def _pages(world: World) -> dict[str, str]:
    mismatch = world.alerts("regulator", typology="THREE_DOC_MISMATCH")[0]
    cycle = world.alerts("regulator", typology="CIRCULAR_TRADING")[0]
    return {
        "report draft": f"/alerts/{_confirmed(world)}/report",
        "queue": "/alerts",
        "filtered queue": "/alerts?typology=FAN_IN&severity=MEDIUM&size=25",
        "documents": f"/alerts/{mismatch.alert_id}",
        "network": f"/alerts/{cycle.alert_id}",
        "statistics": "/statistics",
        "missing alert": "/alerts/00000000-0000-0000-0000-000000000000",
    }


@pytest.fixture
def regulator(browser: webdriver.Chrome, world: World) -> webdriver.Chrome:
    sign_in(browser, world, "regulator")
    browser.get_log("browser")
    return browser


def test_sign_in_page_is_accessible(browser: webdriver.Chrome, world: World) -> None:
    browser.get(world.url + "/signin")
    assert _violations(browser) == []
    assert _errors(browser) == []


def test_every_page_is_accessible_and_error_free(regulator: webdriver.Chrome, world: World) -> None:
    found = {}
    for name, path in _pages(world).items():
        regulator.get(world.url + path)
        problems = _violations(regulator)
        errors = [e for e in _errors(regulator) if "404" not in e or name != "missing alert"]
        if problems or errors:
            found[name] = {"axe": problems, "console": errors}
    assert found == {}


def test_the_checker_catches_an_unlabelled_field(regulator: webdriver.Chrome, world: World) -> None:
    regulator.get(world.url + "/alerts")
    regulator.execute_script("document.querySelector('label[for=f-exporter]').remove()")
    assert "label" in {v["id"] for v in _violations(regulator)}


def test_keyboard_reaches_the_skip_link_then_the_navigation(
    regulator: webdriver.Chrome, world: World
) -> None:
    regulator.get(world.url + "/alerts")
    body = regulator.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    first = regulator.switch_to.active_element
    assert first.text == "Skip to content" and first.is_displayed()
    first.send_keys(Keys.ENTER)
    assert regulator.switch_to.active_element.get_attribute("id") == "main"
    regulator.switch_to.active_element.send_keys(Keys.TAB)
    assert regulator.switch_to.active_element.tag_name in {"a", "button", "select", "input"}
