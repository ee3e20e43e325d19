"""The console as an analyst uses it, in a real headless Chromium against real services."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from services._proto.tradeguard.aml.v1 import aml_pb2

from .conftest import World, fetch, session_cookie, sign_in, submit


def _text(browser: webdriver.Chrome, css: str) -> str:
    return str(browser.find_element(By.CSS_SELECTOR, css).text)


def _column(browser: webdriver.Chrome, index: int) -> list[str]:
    cells = browser.find_elements(By.CSS_SELECTOR, f"table.queue tbody tr td:nth-child({index})")
    return [c.text for c in cells]


def _filter(browser: webdriver.Chrome, **selects: str) -> None:
    for name, value in selects.items():
        Select(browser.find_element(By.ID, f"f-{name}")).select_by_value(value)
    submit(browser, browser.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]"))


def _decide(browser: webdriver.Chrome, decision: str, note: str = "") -> None:
    browser.find_element(By.CSS_SELECTOR, f"input[name=decision][value={decision}]").click()
    if note:
        browser.find_element(By.ID, "note").send_keys(note)
    submit(browser, browser.find_element(By.CSS_SELECTOR, "form.review button[type=submit]"))


def _trail(browser: webdriver.Chrome) -> list[str]:
    return [r.text for r in browser.find_elements(By.CSS_SELECTOR, "table.audit tbody tr")]


def test_regulator_filters_reviews_and_reports_an_alert(
    browser: webdriver.Chrome, world: World
) -> None:
    sign_in(browser, world, "regulator")
    everything = world.alerts("regulator")
    assert f"of {len(everything)}" in _text(browser, "#result-count")
    waiting = [a for a in everything if a.status == aml_pb2.NEW]
    assert _text(browser, "#count-NEW") == str(len(waiting))
    _filter(browser, typology="THREE_DOC_MISMATCH", status="NEW")
    expected = [a for a in waiting if a.typology == "THREE_DOC_MISMATCH"]
    assert expected, "the generated data must raise document mismatches"
    assert set(_column(browser, 3)) == {"three doc mismatch"}
    assert f"of {len(expected)}" in _text(browser, "#result-count")

    submit(browser, browser.find_element(By.CSS_SELECTOR, "a.alert-link"))
    assert browser.find_elements(By.CSS_SELECTOR, "table.documents td.mismatch")
    assert "Disagrees:" in browser.find_element(By.CSS_SELECTOR, "td.mismatch").get_attribute(
        "textContent"
    )
    assert "Audit chain intact" in _text(browser, "#chain-status")

    _decide(browser, "START_REVIEW")
    assert "in review" in _text(browser, ".flash-success")
    assert "REVIEWED" in _trail(browser)[-1] and "in review" in _trail(browser)[-1]
    _decide(browser, "CONFIRM", "declared value does not match the payments")
    assert _text(browser, "#alert-status") == "confirmed"
    assert "declared value does not match the payments" in _trail(browser)[-1]

    submit(browser, browser.find_element(By.ID, "report-link"))
    browser.find_element(By.ID, "report-note").send_keys("STR filed with the FIU")
    submit(browser, browser.find_element(By.CSS_SELECTOR, ".file-report button[type=submit]"))
    xml_link = browser.find_element(By.ID, "xml-link").get_attribute("href")
    alert_id = browser.current_url.split("/alerts/")[1].split("/")[0]
    status, body, headers = fetch(str(xml_link), session_cookie(browser))
    assert status == 200 and headers["content-type"].startswith("application/xml")
    report = ET.fromstring(body)
    assert report.tag == "report" and report.findtext("report_code") == "STR"
    assert report.findtext("entity_reference") == alert_id
    assert (
        report.findall("transaction")
        and report.find("transaction/t_from/from_entity/name") is not None
    )
    assert report.findtext("report_indicators/indicator") == "THREE_DOC_MISMATCH"

    browser.get(f"{world.url}/alerts/{alert_id}")
    assert _text(browser, "#alert-status") == "reported"
    assert "REPORTED" in _trail(browser)[-1] or "reported" in _trail(browser)[-1]
    assert "STR filed with the FIU" in _trail(browser)[-1]


def test_network_alert_draws_its_structure_with_amounts(
    browser: webdriver.Chrome, world: World
) -> None:
    cycle = world.alerts("regulator", typology="CIRCULAR_TRADING")[0]
    sign_in(browser, world, "regulator")
    browser.get(f"{world.url}/alerts/{cycle.alert_id}")
    graph = browser.find_element(By.ID, "network-graph")
    nodes = graph.find_elements(By.CSS_SELECTOR, "g.node")
    flows = graph.find_elements(By.CSS_SELECTOR, "g.edge.flow")
    assert len(nodes) == len(
        set(cycle.members) | {p for f in cycle.flows for p in (f.from_party_id, f.to_party_id)}
    )
    assert len(flows) >= 3
    assert all(re.match(r"USD [\d,]+", e.find_element(By.TAG_NAME, "text").text) for e in flows)
    assert _text(browser, "#network-h") == "Network: ring"

    fan_in = world.alerts("regulator", typology="FAN_IN")[0]
    browser.get(f"{world.url}/alerts/{fan_in.alert_id}")
    assert _text(browser, "#network-h") == "Network: fan-in"
    assert len(browser.find_elements(By.CSS_SELECTOR, "#network-graph g.node.hub")) == 1


def test_queue_pages_through_every_alert_with_totals(
    browser: webdriver.Chrome, world: World
) -> None:
    total = len(world.alerts("regulator"))
    sign_in(browser, world, "regulator")
    _filter(browser, size="25", sort="created_at")
    assert _text(browser, "#result-count") == f"Alerts 1–25 of {total}"
    first_page = _column(browser, 2)
    submit(browser, browser.find_element(By.CSS_SELECTOR, "a[rel=next]"))
    assert _text(browser, "#result-count") == f"Alerts 26–{min(50, total)} of {total}"
    assert f"Page 2 of {(total + 24) // 25}" in _text(browser, "nav.pager")
    assert not set(first_page) & set(_column(browser, 2))


def test_statistics_chart_trade_alerts_and_financing(
    browser: webdriver.Chrome, world: World
) -> None:
    sign_in(browser, world, "regulator")
    browser.get(world.url + "/statistics")
    titles = [s.text for s in browser.find_elements(By.CSS_SELECTOR, "figure.chart summary")]
    for title in ("Alerts by typology and month", "Trade by month",
                  "Trade by destination country (top 12)", "Trade by HS chapter (top 12)",
                  "Financing by month of disbursement"):  # fmt: skip
        assert f"{title}: the numbers" in titles
    charts = browser.find_elements(By.CSS_SELECTOR, "figure.chart svg[role=img]")
    assert len(charts) == len(titles)
    months = browser.find_elements(
        By.XPATH, "//figure[.//summary[starts-with(., 'Trade by month')]]//tbody/tr"
    )
    assert len(months) == 6  # the generated data covers six months
    first_cells = [r.find_element(By.TAG_NAME, "td").get_attribute("textContent") for r in months]
    orders = sum(float(str(cell).replace(",", "")) for cell in first_cells)
    assert orders > 0


def test_exporter_bank_and_date_filters(browser: webdriver.Chrome, world: World) -> None:
    everything = world.alerts("regulator")
    exporter = everything[0].enterprise_id
    sign_in(browser, world, "regulator")
    browser.find_element(By.ID, "f-exporter").send_keys(exporter)
    _filter(browser)
    assert set(_column(browser, 7)) == {exporter}
    assert f"of {sum(a.enterprise_id == exporter for a in everything)}" in _text(
        browser, "#result-count"
    )
    browser.get(world.url + "/alerts?tenant=bank-b")
    assert set(_column(browser, 8)) == {"bank-b"}
    raised = everything[0].created_at.ToDatetime().date()
    browser.get(f"{world.url}/alerts?from={raised}&to={raised}")
    assert f"of {len(everything)}" in _text(browser, "#result-count")
    browser.get(f"{world.url}/alerts?from={raised.replace(year=raised.year + 1)}")
    assert _text(browser, "#result-count") == "No alerts match these filters."
    browser.get(f"{world.url}/alerts?from=yesterday")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Not accepted"


def test_column_headers_sort_the_queue(browser: webdriver.Chrome, world: World) -> None:
    sign_in(browser, world, "regulator")
    submit(browser, browser.find_element(By.LINK_TEXT, "Risk"))
    scores = [float(s) for s in _column(browser, 5)]
    assert scores == sorted(scores, reverse=True) and len(set(scores)) > 1
    header = browser.find_element(By.CSS_SELECTOR, "th[aria-sort]")
    assert header.text == "Risk" and header.get_attribute("aria-sort") == "descending"
    submit(browser, browser.find_element(By.LINK_TEXT, "Severity"))
    ranks = ["low", "medium", "high", "critical"]
    severities = [ranks.index(s) for s in _column(browser, 4)]
    assert severities == sorted(severities, reverse=True)


def test_bank_sees_only_its_own_alerts(browser: webdriver.Chrome, world: World) -> None:
    own = world.alerts("bank-a")
    others = world.alerts("bank-b")
    assert own and others
    sign_in(browser, world, "bank-a")
    assert f"of {len(own)}" in _text(browser, "#result-count")
    assert set(_column(browser, 8)) == {"bank-a"}
    assert not browser.find_elements(By.ID, "f-tenant")
    # Typing another bank's alert into the address bar shows nothing of it.
    browser.get(f"{world.url}/alerts/{others[0].alert_id}")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Not found"
    assert others[0].enterprise_id not in browser.page_source
    browser.get(f"{world.url}/alerts?tenant=bank-b")
    assert set(_column(browser, 8)) <= {"bank-a"}
    browser.get(f"{world.url}/statistics")
    assert f"{len(own)} alerts of your bank" in _text(browser, "main")
    browser.get(f"{world.url}/alerts/{own[0].alert_id}/report")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Not allowed"


def test_forms_without_the_session_csrf_token_are_refused(
    browser: webdriver.Chrome, world: World
) -> None:
    alert = world.alerts("regulator", status=aml_pb2.NEW)[0]
    sign_in(browser, world, "regulator")
    cookie = session_cookie(browser)
    form = {"decision": "START_REVIEW", "note": "", "expected_version": str(alert.version)}
    url = f"{world.url}/alerts/{alert.alert_id}/review"
    assert fetch(url, cookie, form)[0] == 403
    assert fetch(url, cookie, {**form, "csrf_token": "forged"})[0] == 403
    (after,) = [a for a in world.alerts("regulator") if a.alert_id == alert.alert_id]
    assert after.version == alert.version and after.status == aml_pb2.NEW
    assert fetch(f"{world.url}/signout", cookie, {})[0] == 403


def test_a_conflicting_review_says_who_changed_the_alert(
    browser: webdriver.Chrome, world: World
) -> None:
    alert = world.alerts("regulator", status=aml_pb2.NEW)[-1]
    sign_in(browser, world, "regulator")
    browser.get(f"{world.url}/alerts/{alert.alert_id}")
    channel, stub = world.stub("regulator-2")
    with channel:
        stub.ReviewAlert(
            aml_pb2.ReviewAlertRequest(
                alert_id=alert.alert_id,
                decision=aml_pb2.START_REVIEW,
                expected_version=alert.version,
            )
        )
    _decide(browser, "START_REVIEW", "taking this one")
    warning = _text(browser, ".flash-warning")
    assert "regulator-2/REGULATOR" in warning and "taking this one" in warning
    assert _text(browser, "#alert-version") == str(alert.version + 1)
    assert _text(browser, "#alert-status") == "in review"


def test_sign_out_ends_the_session(browser: webdriver.Chrome, world: World) -> None:
    sign_in(browser, world, "regulator")
    submit(browser, browser.find_element(By.CSS_SELECTOR, "header form button"))
    assert browser.current_url.endswith("/signin")
    browser.get(world.url + "/alerts")
    assert "/signin" in browser.current_url


def test_wrong_tokens_and_roles_cannot_sign_in(browser: webdriver.Chrome, world: World) -> None:
    browser.get(world.url + "/signin")
    browser.find_element(By.ID, "token").send_keys("not-a-token")
    submit(browser, browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
    assert "not valid" in _text(browser, "#signin-error")
    sign_in(browser, world, "insurer")
    assert "cannot open alerts" in _text(browser, "#signin-error")
