#!/usr/bin/env python3
"""The shopper pages (`guest-access serve --pages`) in a real browser.

Drives headless Chromium (Debian's `chromium` and `chromium-driver`, Selenium
from the project's venv) against a running service and checks, as a shopper
and as an attacker would see it:

  a. happy journey: /track/T shows the masked email (the full one nowhere in
     the page), the form asks for a code, the newest code for ORDER is read
     from the file mailer's outbox and entered, the full order shows (grand
     total, shipping address), sign-out, then Back, reload and /order all
     show the session-ended page with nothing of the order;
  b. a wrong code (one that differs from the code mailed) leaves the shopper
     on the code page with the form error and no session;
  c. enumeration: the code page after a made-up order number, after the real
     order with a wrong email and after the real order and email are one page
     (the `main` text, and the whole HTML with the form token blanked), and
     neither wrong lookup mails anything;
  d. XSS: the tracking page of T2, an order whose item names and shipping
     city are markup (XSS_ITEM_NAMES, XSS_CITY below), shows them as text: no
     alert, no injected element;
  e. a form post from a page on another origin (a page this script serves on
     another loopback address, and one on another port of the same address)
     is refused with the 403 page, and no code is mailed;
  f. German: with Accept-Language de, `<html lang="de">` and German headings;
  g. no CSP violation or JavaScript error in the browser console on any
     guest-access page;
  h. at a phone's width (390x844) the tracking and the order page do not
     scroll sideways.

Screenshots of every step go to --screenshots; the report (JSON: "checks",
each {"name", "ok", "detail"}, and "console_errors") to --report. Exits 0
only when every check passes, 1 otherwise.

The ORDER's code budget: the run has two codes mailed for ORDER (journeys a
and b); the default policy sends at most 3 per order in 15 minutes, so a
second run against the same service within that window fails journey a.
Start a fresh service for each run.

By hand (the Swift test BrowserJourneyTests does the same with its own data
directory):

  bin=.build/debug/guest-access; D=$(mktemp -d); chmod 700 $D
  $bin keys init --data-dir $D
  head -c 32 /dev/urandom | base64 > $D/admin-key; chmod 600 $D/admin-key
  # $D/orders.json: ORDER with EMAIL, and an order whose items are named
  # XSS_ITEM_NAMES and whose shipping city is XSS_CITY (see below)
  $bin serve --pages --host 127.0.0.1 --port 0 --data-dir $D --orders $D/orders.json \\
      --mailer file:$D/outbox.jsonl --admin-key-file $D/admin-key 2>$D/log &
  # port from the "listening" line of $D/log; mint a tracking token for each order:
  curl -s -H "Authorization: Bearer $(cat $D/admin-key)" -H 'Content-Type: application/json' \\
      -d '{"orderNumber":"ORDER"}' http://127.0.0.1:PORT/v1/admin/tracking-tokens
  .venv/bin/python3 scripts/browser_journey.py --base http://127.0.0.1:PORT \\
      --outbox $D/outbox.jsonl --tracking-token T --xss-tracking-token T2 \\
      --order ORDER --email EMAIL --screenshots /tmp/shots --report /tmp/report.json

Chromium and chromedriver are found on PATH (or CHROME_BIN, CHROMEDRIVER).
The browser resolves no name but loopback (--host-resolver-rules), so an
item image or a tracking link never leaves the machine.
"""

import argparse
import base64
import html
import html.parser
import http.server
import json
import os
import re
import secrets
import shutil
import sys
import threading
import time
import traceback
import urllib.parse
import urllib.request

# The XSS order's item names and shipping city. The Swift test
# (Tests/GuestAccessTests/BrowserJourneyTests.swift, `xssItemNames`) writes
# the same strings into the order T2 tracks; the page must show each as text.
XSS_ITEM_NAMES = [
    "<img src=x onerror=alert(1)>",
    '"><script>alert(2)</script>',
    "</span></li></ul><img src=x id=injected onerror=alert(3)>",
    "' onmouseover='alert(4)' data-x='",
    "<svg/onload=alert(5)>",
    "{{t.sign_out}} {{{order.number}}}",
]
XSS_CITY = "<b id=city-injected>Springfield</b>"

PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True}
DESKTOP = (1280, 900)
WAIT_SECONDS = 15

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CATALOGUES = os.path.join(REPO, "Sources", "GuestAccessPages", "Resources")


def catalogue(language):
    """The page texts of `language`, from the repository (None when the script runs elsewhere)."""
    try:
        with open(os.path.join(CATALOGUES, f"messages-{language}.json"), encoding="utf-8") as f:
            return json.load(f)
    except OSError:
        return None


class Report:
    def __init__(self, path, screenshots):
        self.path = path
        self.screenshots = screenshots
        self.checks = []
        self.console = []  # every browser log entry, with the page it was read on
        self.shots = []
        self.counter = 0

    def check(self, name, ok, detail="", known=None):
        """`known`: the reason this check is a known open defect (SECURITY.md
        "Not yet promised"); it is reported, but does not fail the run."""
        ok = bool(ok)
        entry = {"name": name, "ok": ok, "detail": detail}
        if known:
            entry["known"] = known
        self.checks.append(entry)
        label = "ok  " if ok else ("KNOWN" if known else "FAIL")
        print(f"{label} {name}" + (f": {detail}" if detail and not ok else ""), flush=True)
        return ok

    def write(self, console_errors, console_other):
        document = {
            "checks": self.checks,
            "console_errors": console_errors,
            "console_other": console_other,
            "screenshots": self.shots,
        }
        directory = os.path.dirname(os.path.abspath(self.path))
        os.makedirs(directory, exist_ok=True)
        with open(self.path, "w", encoding="utf-8") as f:
            json.dump(document, f, indent=2, ensure_ascii=False)
            f.write("\n")


class Journeys:
    def __init__(self, args):
        self.args = args
        self.base = args.base.rstrip("/")
        parsed = urllib.parse.urlsplit(self.base)
        self.origin = f"{parsed.scheme}://{parsed.netloc}"
        self.host = parsed.hostname or "127.0.0.1"
        self.report = Report(args.report, args.screenshots)
        self.drivers = []
        self.code_pages = {}  # label -> (main text, HTML with the form token blanked)
        self.order_texts = []  # what of the order the happy journey saw, for the signed-out checks
        self.en = catalogue("en")
        self.de = catalogue("de")

    # -- browser ---------------------------------------------------------------------------

    def browser(self, language="en-US,en", lang_flag="en-US"):
        from selenium import webdriver
        from selenium.webdriver.chrome.options import Options
        from selenium.webdriver.chrome.service import Service

        chrome = os.environ.get("CHROME_BIN") or shutil.which("chromium") or "/usr/bin/chromium"
        driver_path = os.environ.get("CHROMEDRIVER") or shutil.which("chromedriver") or "/usr/bin/chromedriver"
        options = Options()
        options.binary_location = chrome
        for flag in [
            "--headless=new",
            "--no-sandbox",  # CI runs as root
            "--disable-dev-shm-usage",
            "--disable-gpu",
            f"--window-size={DESKTOP[0]},{DESKTOP[1]}",
            f"--lang={lang_flag}",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--disable-default-apps",
            "--hide-scrollbars",
            # Nothing but loopback: item images and tracking links on other
            # hosts fail to resolve instead of leaving the machine.
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE 127.0.0.2, EXCLUDE 127.0.0.3, EXCLUDE localhost",
        ]:
            options.add_argument(flag)
        options.add_experimental_option("prefs", {"intl.accept_languages": language})
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        log_path = os.path.join(self.args.screenshots, "chromedriver.log")
        service = Service(executable_path=driver_path, log_output=log_path)
        driver = webdriver.Chrome(service=service, options=options)
        driver.set_page_load_timeout(30)
        self.drivers.append(driver)
        return driver

    def close(self, driver):
        self.read_console(driver, "closing")
        try:
            driver.quit()
        except Exception:
            pass
        if driver in self.drivers:
            self.drivers.remove(driver)

    def read_console(self, driver, step):
        try:
            entries = driver.get_log("browser")
        except Exception:
            return
        try:
            url = driver.current_url
        except Exception:
            url = ""
        for entry in entries:
            self.report.console.append(
                {
                    "step": step,
                    "page": url,
                    "level": entry.get("level"),
                    "source": entry.get("source"),
                    "message": entry.get("message"),
                }
            )

    def shot(self, driver, name):
        """A PNG of the whole page (beyond the viewport) as `NN-name.png`."""
        self.report.counter += 1
        path = os.path.join(self.args.screenshots, f"{self.report.counter:02d}-{name}.png")
        try:
            metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
            content = metrics.get("cssContentSize") or metrics["contentSize"]
            viewport = metrics.get("cssLayoutViewport") or metrics["layoutViewport"]
            clip = {
                "x": 0,
                "y": 0,
                "width": viewport["clientWidth"],
                "height": min(max(content["height"], viewport["clientHeight"]), 8000),
                "scale": 1,
            }
            data = driver.execute_cdp_cmd(
                "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip}
            )["data"]
            with open(path, "wb") as f:
                f.write(base64.b64decode(data))
        except Exception:
            driver.save_screenshot(path)
        self.report.shots.append(path)
        return path

    def phone(self, driver, on):
        if on:
            driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)
        else:
            driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

    # -- page helpers ----------------------------------------------------------------------

    def page_kind(self, driver):
        found = driver.find_elements("css selector", "main#content")
        return found[0].get_attribute("data-page") if found else None

    def wait_for_page(self, driver, kind, path=None):
        """Waits until the document is `main[data-page=kind]` (at `path`); returns whether it came."""
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            try:
                here = urllib.parse.urlsplit(driver.current_url).path
                if self.page_kind(driver) == kind and (path is None or here == path):
                    return True
            except Exception:
                pass
            time.sleep(0.1)
        return False

    def where(self, driver):
        try:
            return f"at {driver.current_url} (page {self.page_kind(driver)!r})"
        except Exception as error:
            return f"({error})"

    def text(self, driver, selector):
        found = driver.find_elements("css selector", selector)
        return found[0].text.strip() if found else None

    def alert_open(self, driver):
        try:
            alert = driver.switch_to.alert
            message = alert.text
            alert.dismiss()
            return message
        except Exception:
            return None

    def main_text(self, driver):
        return self.text(driver, "main#content") or ""

    @staticmethod
    def blank_csrf(source):
        return re.sub(r'(name="csrf"\s+value=")[^"]*(")', r"\1\2", source)

    def no_horizontal_scroll(self, driver):
        scroll, inner = driver.execute_script(
            "return [document.scrollingElement.scrollWidth, window.innerWidth]"
        )
        return scroll <= inner, f"scrollWidth {scroll}, innerWidth {inner}"

    # -- outbox ----------------------------------------------------------------------------

    def outbox(self):
        try:
            with open(self.args.outbox, encoding="utf-8") as f:
                lines = f.read().splitlines()
        except FileNotFoundError:
            return []
        messages = []
        for line in lines:
            try:
                messages.append(json.loads(line))
            except ValueError:
                pass
        return messages

    def codes_for(self, order):
        return [m for m in self.outbox() if m.get("orderNumber") == order]

    def wait_for_new_code(self, order, before):
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            messages = self.codes_for(order)
            if len(messages) > before:
                return messages[-1]
            time.sleep(0.1)
        return None

    # -- journeys --------------------------------------------------------------------------

    def run(self, name, journey):
        try:
            journey()
            self.report.check(f"{name}: ran to the end", True)
        except Exception as error:
            self.report.check(f"{name}: ran to the end", False, f"{type(error).__name__}: {error}\n{traceback.format_exc()}")
            for open_driver in list(self.drivers):
                try:
                    self.shot(open_driver, f"{name}-failed")
                except Exception:
                    pass
        finally:
            for open_driver in list(self.drivers):
                self.close(open_driver)

    def happy(self):
        r, a = self.report, self.args
        driver = self.browser()
        driver.get(f"{self.base}/track/{a.tracking_token}")
        self.read_console(driver, "happy: tracking page")
        r.check("happy: /track/T is the tracking page", self.wait_for_page(driver, "tracking"), self.where(driver))
        self.shot(driver, "happy-tracking")
        number = self.text(driver, "#order-number")
        r.check("happy: tracking page names the order", number == a.order, f"#order-number {number!r}")
        masked = self.text(driver, "#email-masked") or ""
        r.check("happy: tracking page shows the masked email", "*" in masked and masked != a.email, f"#email-masked {masked!r}")
        source = driver.page_source
        leaked = [form for form in {a.email, a.email.lower(), html.escape(a.email)} if form and form.lower() in source.lower()]
        r.check("happy: the full email is nowhere in the tracking page source", not leaked, f"found {leaked}")
        tracking_total = self.text(driver, "#total")
        r.check("happy: tracking page shows the total", bool(tracking_total), f"#total {tracking_total!r}")
        status = driver.find_elements("css selector", "#status")
        r.check("happy: tracking page shows the status", bool(status) and bool(status[0].text.strip()), "no #status")

        before = len(self.codes_for(a.order))
        driver.find_element("css selector", "form#lookup-form input#email").send_keys(a.email)
        driver.find_element("css selector", "form#lookup-form button#request-code").click()
        arrived = self.wait_for_page(driver, "code", "/code")
        self.read_console(driver, "happy: code page")
        r.check("happy: requesting a code leads to the code page", arrived, self.where(driver))
        self.shot(driver, "happy-code")
        if not arrived:
            return driver
        if arrived:
            self.code_pages["the real order and email"] = (self.main_text(driver), self.blank_csrf(driver.page_source))
        field = driver.find_elements("css selector", "form#code-form input#code")
        r.check(
            "happy: the code field is numeric with one-time-code autocomplete",
            bool(field)
            and field[0].get_attribute("inputmode") == "numeric"
            and field[0].get_attribute("autocomplete") == "one-time-code",
            "input#code missing or different",
        )
        message = self.wait_for_new_code(a.order, before)
        r.check("happy: a code for ORDER arrives in the outbox", message is not None, f"{before} messages for {a.order} before, none new")
        if message is None:
            return driver
        r.check("happy: the code goes to the order's email", (message.get("to") or "").lower() == a.email.lower(), "another recipient")
        code = message["code"]

        field[0].send_keys(code)
        driver.find_element("css selector", "form#code-form button#verify").click()
        arrived = self.wait_for_page(driver, "order", "/order")
        self.read_console(driver, "happy: order page")
        r.check("happy: the right code shows the full order", arrived, self.where(driver))
        self.shot(driver, "happy-order")
        number = self.text(driver, "#order-number")
        total = self.text(driver, "#grand-total")
        shipping = self.text(driver, "address#shipping-address") or ""
        email = self.text(driver, "#email")
        r.check("happy: order page names the order", number == a.order, f"#order-number {number!r}")
        r.check(
            "happy: order page shows the grand total (the tracking page's total)",
            bool(total) and total == tracking_total,
            f"#grand-total {total!r}, tracking #total {tracking_total!r}",
        )
        lines = [line for line in shipping.split("\n") if line.strip()]
        r.check("happy: order page shows the shipping address", len(lines) >= 2, f"address#shipping-address {shipping!r}")
        r.check("happy: order page shows the full email", email == a.email, f"#email {email!r}")
        items = [e.text.strip() for e in driver.find_elements("css selector", "table#items .item-name")]
        r.check("happy: order page lists the items", bool(items) and all(items), f"items {items}")
        links = [e.get_attribute("href") for e in driver.find_elements("css selector", "#fulfillments a.tracking-link")]
        r.check("happy: shipment links, if any, are https", all(link.startswith("https://") for link in links), f"{links}")
        self.order_texts = [t for t in [a.email, total, self.text(driver, "#phone")] + lines[:3] if t]

        # The phone's width by resizing, not reloading: the page stays the one the
        # code's redirect brought, the one the back/forward cache would keep, and
        # Back after sign-out must not bring it back.
        self.phone(driver, True)
        time.sleep(0.3)
        self.read_console(driver, "phone: order page")
        ok, detail = self.no_horizontal_scroll(driver)
        r.check("phone: the order page has no horizontal scroll at 390x844", ok, detail)
        self.shot(driver, "phone-order")
        self.phone(driver, False)
        time.sleep(0.3)

        driver.find_element("css selector", "form#sign-out-form button#sign-out").click()
        arrived = self.wait_for_page(driver, "signed-out", "/signed-out")
        self.read_console(driver, "happy: signed-out page")
        r.check("happy: sign-out leads to the signed-out page", arrived, self.where(driver))
        self.shot(driver, "happy-signed-out")

        for step, action in [
            ("Back", driver.back),
            ("reload", driver.refresh),
            ("opening /order", lambda: driver.get(f"{self.base}/order")),
        ]:
            action()
            ended = self.wait_for_page(driver, "session-ended", "/order")
            self.read_console(driver, f"happy: {step} after sign-out")
            # On Back, Chromium would restore the order page from its back/forward
            # cache without asking the server, unless an HttpOnly cookie changed
            # after the page loaded: the order page sets the session cookie again
            # with its own response, so sign-out's deletion evicts it.
            r.check(f"happy: {step} after sign-out shows the session-ended page", ended, self.where(driver))
            source = driver.page_source
            visible = [t for t in self.order_texts + [html.escape(t) for t in self.order_texts] if t in source]
            r.check(f"happy: nothing of the order on the page after {step}", not visible, f"still there: {visible}")
            self.shot(driver, f"happy-{step.split()[-1].strip('/')}-after-sign-out")
        return driver

    def wrong_code(self):
        r, a = self.report, self.args
        driver = self.browser()
        driver.get(f"{self.base}/track/{a.tracking_token}")
        self.wait_for_page(driver, "tracking")
        self.read_console(driver, "wrong code: tracking page")
        before = len(self.codes_for(a.order))
        driver.find_element("css selector", "form#lookup-form input#email").send_keys(a.email)
        driver.find_element("css selector", "form#lookup-form button#request-code").click()
        arrived = self.wait_for_page(driver, "code", "/code")
        self.read_console(driver, "wrong code: code page")
        r.check("wrong code: the code page", arrived, self.where(driver))
        if not arrived:
            self.shot(driver, "wrong-code-no-code-page")
            return driver
        message = self.wait_for_new_code(a.order, before)
        r.check("wrong code: a code for ORDER arrives in the outbox", message is not None, "none new")
        # Certainly not the code mailed (any six digits when none came).
        wrong = f"{(int(message['code']) + 1) % 1_000_000:06d}" if message else "000000"
        driver.find_element("css selector", "form#code-form input#code").send_keys(wrong)
        driver.find_element("css selector", "form#code-form button#verify").click()
        time.sleep(0.5)
        stayed = self.wait_for_page(driver, "code", "/code")
        self.read_console(driver, "wrong code: after the wrong code")
        r.check("wrong code: still on the code page", stayed, self.where(driver))
        error = self.text(driver, "p#form-error")
        r.check("wrong code: the form error shows", bool(error), f"p#form-error {error!r}")
        if self.en and self.en.get("form_error_code"):
            r.check("wrong code: the error is the code message", error == self.en["form_error_code"], f"{error!r}")
        r.check(
            "wrong code: the code form is still there",
            bool(driver.find_elements("css selector", "form#code-form input#code")),
            "no input#code",
        )
        self.shot(driver, "wrong-code")
        driver.get(f"{self.base}/order")
        ended = self.wait_for_page(driver, "session-ended", "/order")
        self.read_console(driver, "wrong code: /order")
        r.check("wrong code: no session: /order shows the session-ended page", ended, self.where(driver))
        return driver

    def enumeration(self):
        r, a = self.report, self.args
        made_up_order = "ORD-" + secrets.token_hex(4).upper()
        wrong_email = f"not-the-owner-{secrets.token_hex(3)}@example.net"
        before = self.outbox()
        driver = self.browser()
        for label, order, email in [
            ("a made-up order number", made_up_order, f"someone-{secrets.token_hex(3)}@example.org"),
            ("the real order with a wrong email", a.order, wrong_email),
        ]:
            driver.get(f"{self.base}/lookup")
            self.wait_for_page(driver, "lookup", "/lookup")
            self.read_console(driver, f"enumeration: lookup page ({label})")
            driver.find_element("css selector", "form#lookup-form input#orderNumber").send_keys(order)
            driver.find_element("css selector", "form#lookup-form input#email").send_keys(email)
            driver.find_element("css selector", "form#lookup-form button#request-code").click()
            arrived = self.wait_for_page(driver, "code", "/code")
            self.read_console(driver, f"enumeration: code page ({label})")
            r.check(f"enumeration: {label} leads to the code page", arrived, self.where(driver))
            if arrived:
                self.code_pages[label] = (self.main_text(driver), self.blank_csrf(driver.page_source))
            self.shot(driver, "enumeration-" + label.replace(" ", "-"))
        pages = self.code_pages
        first_label = "a made-up order number"
        others = [key for key in pages if key != first_label]
        r.check(
            "enumeration: code pages to compare (a made-up order, a wrong email, the real order and email)",
            first_label in pages and len(others) >= 2,
            f"reached the code page for {sorted(pages)}",
        )
        for label in others if first_label in pages else []:
            r.check(
                f"enumeration: the code page's text is the same for {first_label} and {label}",
                pages[first_label][0] == pages[label][0],
                f"{pages[first_label][0]!r} vs {pages[label][0]!r}",
            )
            r.check(
                f"enumeration: the code page's HTML (form token blanked) is the same for {first_label} and {label}",
                pages[first_label][1] == pages[label][1],
                first_difference(pages[first_label][1], pages[label][1]),
            )
        time.sleep(1.0)
        after = self.outbox()
        new = after[len(before):]
        r.check(
            "enumeration: neither wrong lookup mailed a code",
            not any(m.get("orderNumber") in (made_up_order, a.order) or m.get("to") == wrong_email for m in new),
            f"{len(new)} new outbox messages",
        )
        return driver

    def xss(self):
        r, a = self.report, self.args
        url = f"{self.base}/track/{a.xss_tracking_token}"
        # What the server sent, before any browser parsing.
        with urllib.request.urlopen(url, timeout=10) as response:
            raw = response.read().decode("utf-8")
        raw_markup = [name for name in XSS_ITEM_NAMES + [XSS_CITY] if "<" in name and name in raw]
        r.check("xss: the server's HTML holds no item name or city as markup", not raw_markup, f"unescaped: {raw_markup}")
        parsed = ItemNames()
        parsed.feed(raw)
        r.check(
            "xss: the server's HTML, parsed, has the item names as text",
            parsed.names == XSS_ITEM_NAMES,
            f"parsed {parsed.names!r}",
        )

        driver = self.browser()
        driver.get(url)
        alert = self.alert_open(driver)
        r.check("xss: no alert opens", alert is None, f"alert {alert!r}")
        self.read_console(driver, "xss: tracking page")
        r.check("xss: T2 is the tracking page", self.wait_for_page(driver, "tracking"), self.where(driver))
        self.shot(driver, "xss-tracking")
        names = [e.text for e in driver.find_elements("css selector", "ul#items li .item-name")]
        r.check("xss: every item name shows as text, literally", names == XSS_ITEM_NAMES, f"shown {names!r}")
        destination = self.text(driver, "#destination") or ""
        r.check("xss: the city shows as text, literally", destination.startswith(XSS_CITY), f"#destination {destination!r}")
        found = driver.execute_script(
            """
            const injected = [];
            for (const element of document.querySelectorAll('*')) {
              for (const attribute of element.attributes) {
                if (attribute.name.toLowerCase().startsWith('on')) injected.push(element.tagName + ' ' + attribute.name);
              }
            }
            for (const element of document.querySelectorAll('script, svg, iframe, object, embed, b, #injected, #city-injected')) {
              injected.push(element.tagName + (element.id ? '#' + element.id : ''));
            }
            for (const image of document.querySelectorAll('img')) {
              if (!image.getAttribute('src').startsWith('https://')) injected.push('img src=' + image.getAttribute('src'));
            }
            return injected;
            """
        )
        r.check("xss: no injected element or event handler in the page", not found, f"found {found}")
        alert = self.alert_open(driver)
        r.check("xss: still no alert after the page settled", alert is None, f"alert {alert!r}")
        return driver

    def cross_site(self):
        r, a = self.report, self.args
        # Another site: another loopback address (a site is the host, without
        # the port). The same site on another port is another origin; both
        # must be refused.
        other_host = "127.0.0.2" if self.host != "127.0.0.2" else "127.0.0.3"
        targets = [("another site", other_host), ("another origin of the same host", self.host)]
        driver = self.browser()
        # The victim has been on the pages before (so holds the form-token cookie).
        driver.get(f"{self.base}/track/{a.tracking_token}")
        self.wait_for_page(driver, "tracking")
        self.read_console(driver, "cross-site: tracking page")
        for label, host in targets:
            before = len(self.codes_for(a.order))
            with AttackerSite(host, self.base, a.order, a.email) as attacker:
                driver.get(attacker.url)
                refused = self.wait_for_page(driver, "forbidden", "/lookup")
                self.read_console(driver, f"cross-site: after the post from {label}")
                r.check(
                    f"cross-site: a form post from {label} ({attacker.origin}) gets the 403 page",
                    refused,
                    self.where(driver),
                )
                self.shot(driver, "cross-site-" + label.replace(" ", "-"))
                r.check(
                    f"cross-site: the post from {label} was a real cross-origin post",
                    attacker.served and urllib.parse.urlsplit(driver.current_url).netloc == urllib.parse.urlsplit(self.base).netloc,
                    f"attacker page served: {attacker.served}; {self.where(driver)}",
                )
            time.sleep(2.0)  # codes go out from a queue: give a wrongly accepted one time to arrive
            after = len(self.codes_for(a.order))
            r.check(f"cross-site: no code mailed after the post from {label}", after == before, f"{before} → {after} messages for {a.order}")
        return driver

    def german(self):
        r, a = self.report, self.args
        driver = self.browser(language="de-DE,de", lang_flag="de")
        expected = self.de or {}
        english = self.en or {}
        for label, path, kind, key in [
            ("tracking page", f"/track/{a.tracking_token}", "tracking", "tracking_title"),
            ("lookup page", "/lookup", "lookup", "lookup_title"),
        ]:
            driver.get(self.base + path)
            arrived = self.wait_for_page(driver, kind)
            self.read_console(driver, f"german: {label}")
            r.check(f"german: the {label} opens", arrived, self.where(driver))
            lang = driver.find_element("css selector", "html").get_attribute("lang")
            r.check(f'german: the {label} is <html lang="de">', lang == "de", f"lang {lang!r}")
            heading = self.text(driver, "main h1") or ""
            if key in expected:
                ok = heading == expected[key]
                detail = f"h1 {heading!r}, catalogue {expected[key]!r}"
            else:
                ok = bool(heading) and heading != english.get(key, "Your order")
                detail = f"h1 {heading!r}"
            r.check(f"german: the {label} has the German heading", ok, detail)
            self.shot(driver, "german-" + kind)
        return driver

    def phone_tracking(self):
        r, a = self.report, self.args
        driver = self.browser()
        self.phone(driver, True)
        driver.get(f"{self.base}/track/{a.tracking_token}")
        arrived = self.wait_for_page(driver, "tracking")
        self.read_console(driver, "phone: tracking page")
        r.check("phone: the tracking page opens at 390x844", arrived, self.where(driver))
        inner = driver.execute_script("return window.innerWidth")
        r.check("phone: the viewport is a phone's width", inner == PHONE["width"], f"innerWidth {inner}")
        ok, detail = self.no_horizontal_scroll(driver)
        r.check("phone: the tracking page has no horizontal scroll at 390x844", ok, detail)
        self.shot(driver, "phone-tracking")
        return driver

    def not_found(self):
        r = self.report
        driver = self.browser()
        driver.get(f"{self.base}/track/gt_not-a-real-token-{secrets.token_hex(8)}")
        arrived = self.wait_for_page(driver, "not-found")
        self.read_console(driver, "not found: unknown token")
        r.check("not found: an unknown tracking token shows the not-found page", arrived, self.where(driver))
        r.check(
            "not found: the page offers the lookup form",
            bool(driver.find_elements("css selector", "a#lookup-link[href='/lookup']")),
            "no a#lookup-link",
        )
        self.shot(driver, "not-found")
        return driver

    # -- console ---------------------------------------------------------------------------

    def judge_console(self):
        """Splits the browser log into errors (CSP violations, JavaScript errors, failed
        loads from the service itself) and the rest; a page's own error status (the
        404, 401 and 403 pages the journeys ask for) and a failed load of a resource
        on another host (an item image: the browser resolves no other host) are not
        errors of the pages."""
        errors, other = [], []
        expected_status = re.compile(r"the server responded with a status of (400|401|403|404)\b")
        for entry in self.report.console:
            message = entry.get("message") or ""
            page = entry.get("page") or ""
            on_service = page.startswith(self.origin)
            level = entry.get("level")
            if "Content Security Policy" in message or "Refused to" in message:
                (errors if on_service or message.startswith(self.origin) else other).append(entry)
            elif level == "SEVERE" and not on_service:
                other.append(entry)  # the attacker's page
            elif level == "SEVERE" and message.startswith(self.origin + "/favicon.ico "):
                other.append(entry)  # no favicon: the browser's own request, not the page's
            elif level == "SEVERE" and expected_status.search(message) and message.split(" ")[0] == page:
                other.append(entry)
            elif level == "SEVERE" and "net::ERR_" in message and not message.startswith(self.origin):
                other.append(entry)
            elif level == "SEVERE":
                errors.append(entry)
            elif entry.get("source") == "javascript" or "Uncaught" in message:
                errors.append(entry)
            else:
                other.append(entry)
        return errors, other

    def all(self):
        os.makedirs(self.args.screenshots, exist_ok=True)
        try:
            import selenium  # noqa: F401
        except ImportError as error:
            self.report.check("selenium is installed", False, str(error))
            self.report.write([], [])
            return 1
        for name, journey in [
            ("happy", self.happy),
            ("wrong code", self.wrong_code),
            ("enumeration", self.enumeration),
            ("xss", self.xss),
            ("cross-site", self.cross_site),
            ("german", self.german),
            ("phone", self.phone_tracking),
            ("not found", self.not_found),
        ]:
            self.run(name, journey)
        errors, other = self.judge_console()
        self.report.check(
            "console: no CSP violation or JavaScript error on any guest-access page",
            not errors,
            json.dumps(errors, ensure_ascii=False)[:2000],
        )
        self.report.write(errors, other)
        failed = [c for c in self.report.checks if not c["ok"] and not c.get("known")]
        print(f"{len(self.report.checks) - len(failed)} passed, {len(failed)} failed", flush=True)
        return 0 if not failed else 1


class ItemNames(html.parser.HTMLParser):
    """The text of every `.item-name` element, as an HTML parser reads it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.names = []
        self.depth = 0

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += 1
        elif "item-name" in (dict(attrs).get("class") or "").split():
            self.depth = 1
            self.names.append("")

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.names[-1] += data


def first_difference(a, b):
    if a == b:
        return ""
    index = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return f"first difference at {index}: {a[max(0, index - 60):index + 60]!r} vs {b[max(0, index - 60):index + 60]!r}"


class AttackerSite:
    """A page on another origin that posts the lookup form to the service as
    soon as it loads (script is fine here: the CSP is guest-access's, not the
    attacker's). Serves on `host`, port chosen by the system."""

    def __init__(self, host, base, order, email):
        self.host = host
        self.served = False
        site = self
        form = (
            "<!doctype html><html><head><title>Win a prize</title></head><body>"
            "<h1>Claim your prize</h1>"
            f'<form id="f" method="post" action="{html.escape(base)}/lookup">'
            '<input type="hidden" name="csrf" value="forged">'
            f'<input type="hidden" name="orderNumber" value="{html.escape(order)}">'
            f'<input type="hidden" name="email" value="{html.escape(email)}">'
            "</form><script>document.getElementById('f').submit()</script></body></html>"
        ).encode()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                site.served = True
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(form)))
                self.end_headers()
                self.wfile.write(form)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer((host, 0), Handler)
        self.origin = f"http://{host}:{self.server.server_address[1]}"
        self.url = self.origin + "/prize"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True, help="the service, e.g. http://127.0.0.1:8080")
    parser.add_argument("--outbox", required=True, help="the file mailer's outbox (--mailer file:PATH)")
    parser.add_argument("--tracking-token", required=True, help="a tracking token of ORDER")
    parser.add_argument("--xss-tracking-token", required=True, help="a tracking token of the XSS order")
    parser.add_argument("--order", required=True, help="ORDER's order number")
    parser.add_argument("--email", required=True, help="ORDER's email")
    parser.add_argument("--screenshots", required=True, help="directory for the PNGs")
    parser.add_argument("--report", required=True, help="the JSON report to write")
    args = parser.parse_args()
    journeys = Journeys(args)
    try:
        return journeys.all()
    finally:
        for driver in list(journeys.drivers):
            journeys.close(driver)


if __name__ == "__main__":
    sys.exit(main())
