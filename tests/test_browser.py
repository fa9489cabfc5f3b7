"""The web page in a real browser: headless Chromium driven by Selenium.

Chromium and ChromeDriver come from Debian's packages, installed by scripts/ensure-browser
(run by 'make test'). A screenshot of each step is kept in tests/artifacts/.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

ARTIFACTS = Path(__file__).parent / "artifacts"


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    assert chromium and driver, "Chromium is missing: run scripts/ensure-browser (make test does)"
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1400,1000",
    ):
        options.add_argument(flag)
    session = webdriver.Chrome(service=Service(driver), options=options)
    session.set_page_load_timeout(60)
    try:
        yield session
    finally:
        session.quit()


def test_run_a_stored_query_and_follow_a_link(browser: webdriver.Chrome, server: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    wait = WebDriverWait(browser, 30)
    browser.get(server + "/")
    assert "regen-kg" in browser.title
    # the evidence map is drawn on the page
    evidence = browser.find_element(By.ID, "evidence-map")
    assert evidence.find_elements(By.TAG_NAME, "svg")
    browser.save_screenshot(str(ARTIFACTS / "browser-1-home.png"))
    # run the cell-type question for adipose-derived stem cells from its form
    form = browser.find_element(By.ID, "form-studies-by-cell-type")
    field = form.find_element(By.NAME, "cellType")
    field.clear()
    field.send_keys("regen:AdiposeDerivedStemCell")
    form.find_element(By.TAG_NAME, "button").click()
    table = wait.until(ec.presence_of_element_located((By.ID, "results")))
    text = table.text
    assert "study:amirkhani-2016" in text and "study:shin-2018" not in text
    browser.save_screenshot(str(ARTIFACTS / "browser-2-results.png"))
    # follow the link to a study page
    browser.find_element(By.LINK_TEXT, "study:amirkhani-2016").click()
    heading = wait.until(ec.presence_of_element_located((By.TAG_NAME, "h1")))
    assert "Amirkhani" in heading.text
    assert "single-arm study" in browser.page_source
    browser.save_screenshot(str(ARTIFACTS / "browser-3-study.png"))
