"""End to end: ``wordvec explore`` and the HTML map in a real headless Chromium.

Needs Debian's ``chromium`` and ``chromium-driver`` (``/usr/bin/chromium``,
``/usr/bin/chromedriver``) and the ``selenium`` package; skipped otherwise.
Nothing is downloaded: Selenium is pointed at the installed driver.

With ``WORDVEC_SCREENSHOT=PATH`` set, the screenshot of the explorer (the word
"coffee" searched) is also copied to PATH (``docs/explore.png`` in the README).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import threading
from pathlib import Path

import pytest

from wordvec.explore import make_server, write_html_map
from wordvec.formats import load_model

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
WAIT_S = 20


def _missing() -> str | None:
    """Why these tests cannot run here (no browser, driver, Selenium or Flask), or None.

    Selenium is found here, not imported: it is imported by the tests that use it (a second's work
    that collecting this module, in every run, does not pay).
    """
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is not installed (apt-get install chromium chromium-driver)"
    if not CHROMEDRIVER.exists():
        return f"{CHROMEDRIVER} is not installed (apt-get install chromium-driver)"
    if importlib.util.find_spec("selenium") is None:
        return "selenium is not installed (pip install selenium)"
    if importlib.util.find_spec("flask") is None:
        return "flask is not installed"
    return None


pytestmark = [pytest.mark.slow, pytest.mark.skipif(_missing() is not None, reason=str(_missing()))]


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory) -> Path:
    """A model trained on the embedded review sample (a few seconds)."""
    import wordvec

    out = tmp_path_factory.mktemp("explore") / "model"
    epochs = 10 if os.environ.get("WORDVEC_SCREENSHOT") else 4
    wordvec.train(out=out, epochs=epochs, num_words=None, progress=False, seed=1)
    return out


@pytest.fixture(scope="module")
def server(model_dir):
    top = 2000 if os.environ.get("WORDVEC_SCREENSHOT") else 600
    server = make_server(model_dir, "127.0.0.1", 0, top=top, progress=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.explorer.map.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tmp_path_factory.mktemp("chromium-profile")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--disable-extensions", "--no-default-browser-check",
                 "--force-device-scale-factor=1", "--window-size=1440,900", "--lang=en-US",
                 f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=str(CHROMEDRIVER), log_output=str(profile / "chromedriver.log"))
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(WAIT_S)
    # a fixed viewport, whatever the window decorations, for a reproducible screenshot
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": 1400, "height": 860, "deviceScaleFactor": 1, "mobile": False})
    try:
        yield driver
    finally:
        driver.quit()


def _wait(driver, condition, message: str):
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, WAIT_S, poll_frequency=0.05,
                         ignored_exceptions=(StaleElementReferenceException,)).until(condition, message)


def _console_errors(driver) -> list[str]:
    """Errors in the page's console, except the API's expected answers (503 while
    the map is computed, 404 for an unknown word), which the page handles."""
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"
            and not ("/api/" in entry["message"] and "Failed to load resource" in entry["message"])]


def _neighbour_words(driver) -> list[str]:
    from selenium.webdriver.common.by import By

    return [b.text for b in driver.find_elements(By.CSS_SELECTOR, "#neighbours .answer-word")]


def _searched(driver, word: str):
    from selenium.webdriver.common.by import By

    _wait(driver, lambda d: d.find_element(By.ID, "neighbours").get_attribute("data-word") == word
          and _neighbour_words(d), f"the neighbours of {word!r} never showed")


def _point_offset(driver, word: str):
    """Offset of ``word``'s point from the centre of the map canvas, in CSS pixels."""
    return driver.execute_script(
        "var m = window.wordvecExplore.map, i = m.lookup.get(arguments[0]);"
        "return i === undefined ? null : [m._sx[i] - m.width / 2, m._sy[i] - m.height / 2];", word)


def test_search_click_zoom_and_screenshot(browser, server, model_dir, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.actions.wheel_input import ScrollOrigin
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    vectors = load_model(model_dir).vectors
    expected = [w for w, _ in vectors.most_similar("coffee", n=10)]

    server.explorer.map.result(timeout=120)  # t-SNE: a few seconds, longer on a busy machine
    browser.get(server.url)
    _wait(browser, lambda d: d.find_element(By.ID, "map").get_attribute("data-ready") == "true",
          "the map never loaded")
    assert "words" in browser.find_element(By.ID, "model-info").text

    # completion: type a prefix, pick the suggestion
    box = browser.find_element(By.ID, "search")
    box.click()
    box.send_keys("coff")

    def click_suggestion(driver) -> bool:
        for option in driver.find_elements(By.CSS_SELECTOR, "#suggestions .suggestion-word"):
            if option.text == "coffee":
                ActionChains(driver).move_to_element(option).click().perform()
                return True
        return False

    _wait(browser, click_suggestion, "no completion 'coffee' for 'coff'")
    _searched(browser, "coffee")
    assert _neighbour_words(browser) == expected
    assert browser.execute_script("return window.wordvecExplore.map.focus") >= 0

    # click a neighbour in the list: it becomes the searched word
    other = expected[0]
    browser.find_element(By.XPATH, f"//ol[@id='neighbours']//button[text()='{other}']").click()
    _searched(browser, other)
    assert box.get_attribute("value") == other
    assert _neighbour_words(browser) == [w for w, _ in vectors.most_similar(other, n=10)]

    # zoom the map with the mouse wheel and the buttons, then pan by dragging
    browser.find_element(By.ID, "zoom-reset").click()
    _wait(browser, lambda d: abs(d.execute_script("return window.wordvecExplore.map.zoom") - 1) < 1e-6,
          "reset did not return to the whole map")
    canvas = browser.find_element(By.ID, "map")
    ActionChains(browser).scroll_from_origin(ScrollOrigin.from_element(canvas), 0, -400).perform()
    _wait(browser, lambda d: d.execute_script("return window.wordvecExplore.map.zoom") > 1.5,
          "the wheel did not zoom in")
    zoom = browser.execute_script("return window.wordvecExplore.map.zoom")
    browser.find_element(By.ID, "zoom-in").click()
    assert browser.execute_script("return window.wordvecExplore.map.zoom") == pytest.approx(zoom * 1.5)
    centre = browser.execute_script("var m = window.wordvecExplore.map; return [m.cx, m.cy];")
    ActionChains(browser).move_to_element(canvas).click_and_hold().move_by_offset(120, 60).release().perform()
    assert browser.execute_script("var m = window.wordvecExplore.map; return [m.cx, m.cy];") != centre
    browser.find_element(By.ID, "zoom-reset").click()

    # hover a point on the map: word and frequency; click it: it is searched
    _wait(browser, lambda d: abs(d.execute_script("return window.wordvecExplore.map.zoom") - 1) < 1e-6,
          "reset did not return to the whole map")
    target = next(w for w in ("tea", "chocolate", "good") if _point_offset(browser, w))
    dx, dy = _point_offset(browser, target)
    ActionChains(browser).move_to_element_with_offset(canvas, round(dx), round(dy)).perform()
    tooltip = browser.find_element(By.ID, "tooltip")
    _wait(browser, lambda d: tooltip.is_displayed(), "no tooltip on hover")
    hovered = tooltip.find_element(By.TAG_NAME, "strong").text
    assert "frequency" in tooltip.text
    ActionChains(browser).click().perform()
    _searched(browser, hovered)

    # an analogy
    for field, word in (("analogy-a", "sweet"), ("analogy-b", "sugar"), ("analogy-c", "salt")):
        browser.find_element(By.ID, field).send_keys(word)
    browser.find_element(By.ID, "analogy-c").send_keys(Keys.ENTER)
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#analogy-answers .answer-word"), "no analogy answers")
    answers = [b.text for b in browser.find_elements(By.CSS_SELECTOR, "#analogy-answers .answer-word")]
    assert answers == [w for w, _ in vectors.most_similar(["sweet", "salt"], ["sugar"], n=5)]

    # an unknown word: a message, no crash
    box.clear()
    box.send_keys("qwertyuiop", Keys.ENTER)
    _wait(browser, lambda d: "not in vocabulary" in d.find_element(By.ID, "search-status").text,
          "no message for an unknown word")

    # the picture: "coffee" and its neighbours on the map
    box.clear()
    box.send_keys("coffee", Keys.ENTER)
    _searched(browser, "coffee")
    _wait(browser, lambda d: d.execute_script("return window.wordvecExplore.map.animation") is None,
          "the map never settled")
    browser.execute_script("document.activeElement.blur()")  # no caret in the picture
    shot = tmp_path / "explore.png"
    assert browser.save_screenshot(str(shot))
    assert shot.read_bytes()[:4] == b"\x89PNG"
    target_path = os.environ.get("WORDVEC_SCREENSHOT")
    if target_path:
        Path(target_path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, target_path)
    assert _console_errors(browser) == []


def test_html_map_file_works_offline(browser, model_dir, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.actions.wheel_input import ScrollOrigin
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    vectors = load_model(model_dir).vectors
    page = write_html_map(vectors, tmp_path / "map.html", top=300)
    browser.get(page.as_uri())
    _wait(browser, lambda d: d.find_element(By.ID, "map").get_attribute("data-ready") == "true",
          "the HTML map never drew")
    assert browser.execute_script("return window.wordvecExplore.map.words.length") == 300
    box = browser.find_element(By.ID, "search")
    box.send_keys("coffee", Keys.ENTER)
    _searched(browser, "coffee")
    assert _neighbour_words(browser) == [w for w, _ in vectors.most_similar("coffee", n=10)]
    canvas = browser.find_element(By.ID, "map")
    zoom = browser.execute_script("return window.wordvecExplore.map.zoom")
    ActionChains(browser).scroll_from_origin(ScrollOrigin.from_element(canvas), 0, -300).perform()
    _wait(browser, lambda d: d.execute_script("return window.wordvecExplore.map.zoom") > zoom,
          "the wheel did not zoom the HTML map")
    browser.save_screenshot(str(tmp_path / "map.png"))
    assert _console_errors(browser) == []
