"""Take the playground's screenshot for docs/service.md (docs/images/playground.png).

    python tools/playground_screenshot.py [--out docs/images/playground.png] [--fonts DIR]

Starts the decision service on rulesets/ (localhost, a free port), opens the page in the
system's headless Chromium (Playwright), picks 1688_spring / merchant_eligibility, fills the
form with examples/1688_spring/merchant_low_deposit.json, puts the editor at the deposit
rule, and saves the page. ``--fonts DIR`` adds a directory of fonts for Chromium only (for
the Chinese text on a machine without CJK fonts, e.g. the files of Debian's
fonts-noto-cjk or fonts-droid-fallback), through a fontconfig file of its own.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import uvicorn  # noqa: E402
from playwright.sync_api import expect, sync_playwright  # noqa: E402

from promorules.service import create_app  # noqa: E402

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _fontconfig(fonts: Path, folder: Path) -> Path:
    conf = folder / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        "  <include ignore_missing=\"yes\">/etc/fonts/fonts.conf</include>\n"
        f"  <dir>{fonts.resolve()}</dir>\n  <cachedir>{folder / 'cache'}</cachedir>\n"
        "</fontconfig>\n", encoding="utf-8")
    return conf


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images" / "playground.png")
    parser.add_argument("--fonts", type=Path, help="a directory of extra fonts for Chromium")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args(argv)

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(ROOT / "rulesets"), host="127.0.0.1",
                                           port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    facts = json.loads((ROOT / "examples" / "1688_spring" / "merchant_low_deposit.json")
                       .read_text(encoding="utf-8"))
    try:
        with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
            env = dict(os.environ)
            if args.fonts:
                env["FONTCONFIG_FILE"] = str(_fontconfig(args.fonts, Path(tmp)))
            browser = p.chromium.launch(executable_path=args.chromium, args=ARGS, env=env)
            page = browser.new_page(viewport={"width": 1440, "height": 900},
                                    device_scale_factor=1)
            page.goto(f"http://127.0.0.1:{port}/")
            page.select_option("#ruleset", "1688_spring")
            page.select_option("#decision", "merchant_eligibility")
            page.click("#load-facts")
            page.fill("#paste-facts", json.dumps(facts))
            page.click("#apply-facts")
            page.click("#load-facts")  # folds the box away again
            expect(page.locator("#outcome")).to_have_text("FAIL")
            line = page.locator("#yaml").input_value().split("\n").index(
                "        check: buyer_protection_deposit >= 3000") + 1
            page.evaluate(f"jumpTo({line}, 9)")
            page.locator("#form").evaluate("e => e.scrollTop = 0")
            args.out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(args.out))
            browser.close()
    finally:
        server.should_exit = True
        thread.join(10)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
