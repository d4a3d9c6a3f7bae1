"""Headless Chromium (Debian's chromium + chromium-driver) through Selenium, with axe-core
injected into each page, and a screenshot of each screen kept under .artefacts/portal/."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.expected_conditions import staleness_of
from selenium.webdriver.support.ui import Select, WebDriverWait

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "services" / "portal" / "node_modules" / "axe-core" / "axe.min.js"
ARTEFACTS = ROOT / ".artefacts" / "portal"
CHROMIUM = ("chromium", "chromium-browser")
DRIVER = "chromedriver"


def chromium_missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not any(shutil.which(name) for name in CHROMIUM) or not shutil.which(DRIVER):
        return "chromium and chromium-driver are not installed (apt-get install them)"
    if not AXE.exists():
        return "axe-core is not installed (make install runs npm ci in services/portal)"
    return None


@contextmanager
def chromium() -> Iterator[webdriver.Chrome]:
    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--lang=fr"):
        options.add_argument(argument)
    options.add_argument("--window-size=1280,1600")
    binary = next(shutil.which(name) for name in CHROMIUM if shutil.which(name))
    options.binary_location = str(binary)
    driver = webdriver.Chrome(options=options, service=Service(shutil.which(DRIVER)))
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


class Browser:
    def __init__(self, driver: webdriver.Chrome, base_url: str) -> None:
        self.driver = driver
        self.base_url = base_url.rstrip("/")
        self.shots = 0
        self.axe_source = AXE.read_text("utf-8")
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        for old in ARTEFACTS.glob("*.png"):  # the screens of this run only
            old.unlink()

    def open(self, path: str) -> None:
        self.driver.get(self.base_url + path)

    def find(self, css: str) -> WebElement:
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def all(self, css: str) -> list[WebElement]:
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def type(self, name: str, text: str) -> None:
        field = self.find(f'[name="{name}"]')
        field.clear()
        field.send_keys(text)

    def set_value(self, name: str, value: str) -> None:
        """For inputs whose typing depends on the browser's locale (type=date)."""
        self.driver.execute_script(
            "arguments[0].value = arguments[1];", self.find(f'[name="{name}"]'), value
        )

    def choose(self, name: str, value: str) -> None:
        Select(self.find(f'select[name="{name}"]')).select_by_value(value)

    def check(self, element_id: str) -> None:
        box = self.find(f"#{element_id}")
        if not box.is_selected():
            self.driver.execute_script("arguments[0].click();", box)

    def click_button(self, text: str) -> None:
        enabled = [b for b in self.all("button, a.fr-btn") if b.is_enabled()]
        exact = [b for b in enabled if b.text.strip() == text]
        buttons = exact or [b for b in enabled if b.text.strip().startswith(text)]
        assert buttons, f"no enabled button {text!r} on {self.driver.current_url}"
        self.navigating(buttons[0].click)

    def submit(self, css: str) -> None:
        self.navigating(self.find(css).click)

    def navigating(self, action: Any) -> None:
        """Do what loads another page, and wait until the browser has left this one."""
        page = self.find("html")
        action()
        WebDriverWait(self.driver, 60).until(staleness_of(page))

    def wait_for(self, css: str, timeout: float = 30) -> WebElement:
        WebDriverWait(self.driver, timeout).until(lambda d: d.find_elements(By.CSS_SELECTOR, css))
        return self.find(css)

    @property
    def text(self) -> str:
        return str(self.find("body").text)

    @property
    def h1(self) -> str:
        return str(self.find("h1").text)

    def screen(self, name: str) -> list[dict[str, Any]]:
        """Screenshot the page and return axe-core's violations on it (WCAG 2.1 A/AA and
        best practices)."""
        self.shots += 1
        height = self.driver.execute_script("return document.body.scrollHeight")
        self.driver.set_window_size(1280, max(900, min(int(height) + 100, 6000)))
        self.driver.save_screenshot(str(ARTEFACTS / f"{self.shots:02d}-{name}.png"))
        return self.axe()

    def axe(self) -> list[dict[str, Any]]:
        self.driver.execute_script(self.axe_source)
        result: list[dict[str, Any]] = self.driver.execute_async_script(
            """
            const done = arguments[arguments.length - 1];
            axe.run(document).then(
              (r) => done(r.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
              }))),
              (e) => done([{ id: "axe-error", help: String(e), nodes: [] }]),
            );
            """
        )
        return result

    def cookies(self) -> dict[str, str]:
        return {c["name"]: c["value"] for c in self.driver.get_cookies()}
