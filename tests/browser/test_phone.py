"""Every page fits a phone screen (390 x 844, an iPhone 12-15) without scrolling sideways (issue 10).

Wide content (tables, the compare alignment, long URLs and source names) must reflow or scroll inside its own
box: ``document.documentElement.scrollWidth`` never exceeds the viewport width. Screenshots of each page go to
test-artifacts/screenshots/phone-*.png.
"""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
LONG_SOURCE = "regional-evening-chronicle-and-weekly-gazette.example.org"
LONG_URL = "https://regional-evening-chronicle.example.org/2024/03/01/council-approves-the-reckless-riverside-plan-after-a-long-night"
V1 = (
    "The city council approved the reckless riverside plan on Tuesday, and the disgraceful vote was a shock. "
    f"Mayor Ann Lee said 40 jobs would be created ({LONG_URL}). Critics called the plan disastrous for the "
    "old market, "
    "and these puppet councillors ignored them. Everyone knows who profits.\n\n"
    "A true patriot would never stand by while thugs in suits sell off our parks."
)
V2 = (
    "The city council approved the riverside plan on Tuesday after a long debate. Mayor Ann Lee said 45 "
    "jobs would be "
    "created. Traders at the old market said they were worried about rents, and a spokesman said the "
    "council would listen."
)


def _post(page, base, body):
    r = page.request.fetch(
        base + "/api/v1/analyses",
        method="POST",
        data=json.dumps(body),
        headers={"Content-Type": "application/json"},
    )
    assert r.status in (200, 201), r.text()
    return r.json()


def _overflow(page) -> dict:
    """The page's width against the viewport's, and the widest elements sticking out (for the failure
    message)."""
    return page.evaluate(
        """(vw) => {
        const out = [];
        for (const el of document.querySelectorAll('body *')) {
            const r = el.getBoundingClientRect();
            if (r.right > vw + 0.5 && r.width > 0) {
                let p = el.parentElement, clipped = false;
                for (; p; p = p.parentElement) {
                    const s = getComputedStyle(p);
                    if (/(auto|scroll|hidden)/.test(s.overflowX) && p.getBoundingClientRect().right <= vw + 0.5) { clipped = true; break; }
                }
                if (!clipped) out.push((el.id ? '#' + el.id : el.tagName.toLowerCase() + '.' + el.className) + ' ' + Math.round(r.right));
            }
        }
        return {scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth, sticking_out: out.slice(0, 8)};
    }""",  # noqa: E501  JavaScript run in the page
        PHONE["width"],
    )


@pytest.fixture
def phone(browser):
    ctx = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    pg = ctx.new_page()
    pg.errors = []
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    yield pg
    ctx.close()


def test_every_page_fits_390px(phone, live_server, shot):
    base, _ = live_server
    a = _post(
        phone,
        base,
        {
            "text": V1,
            "title": "Council approves the reckless riverside plan after a very long night of debate",
            "source": LONG_SOURCE,
            "published": "2024-03-01",
        },
    )
    _post(
        phone,
        base,
        {
            "text": V2,
            "title": "Council backs riverside plan",
            "source": "dispatch.example",
            "published": "2024-03-02",
        },
    )
    aid = a["id"]
    pages = [
        ("home", "/#/", "#text-input"),
        ("result", f"/#/a/{aid}", "#article .seg"),
        ("history", "/#/history", "#history-table"),
        ("sources", "/#/sources", "#sources-list"),
        ("source", f"/#/source/{LONG_SOURCE}", "#trend-chart svg"),
        ("compare", f"/#/compare/{aid}", "#related-table"),
    ]
    widths = {}
    for name, path, ready in pages:
        phone.goto(base + path)
        phone.wait_for_selector(ready, timeout=60_000)
        phone.wait_for_timeout(150)  # charts draw after data arrive
        got = _overflow(phone)
        widths[name] = got["scrollWidth"]
        shot(phone, f"phone-{name}")
        assert got["scrollWidth"] <= got["innerWidth"] == 390, (name, got)
        if name == "result":
            # the article stays readable: full width of the screen less margins, body-size type, nothing cut
            # off
            box = phone.eval_on_selector(
                "#article",
                "el => [el.getBoundingClientRect().width, parseFloat(getComputedStyle(el).fontSize)]",
            )
            assert box[0] >= 300 and box[1] >= 15, box
            assert phone.eval_on_selector("#article", "el => el.textContent") == V1
            # legend and explanation stack below the article instead of beside it
            art = phone.eval_on_selector("#article", "el => el.getBoundingClientRect().bottom")
            leg = phone.eval_on_selector("#legend", "el => el.getBoundingClientRect().top")
            assert leg > art
    # the compare result: the alignment table scrolls inside its own box, the page does not
    row = phone.locator("#related-table tr", has_text="dispatch.example")
    row.locator("input[type=checkbox]").check()
    phone.click("#compare-btn")
    phone.wait_for_selector("#alignment-table", timeout=60_000)
    got = _overflow(phone)
    widths["compare-result"] = got["scrollWidth"]
    shot(phone, "phone-compare-result")
    assert got["scrollWidth"] <= got["innerWidth"], ("compare-result", got)
    assert phone.errors == []
    print("scrollWidth at 390 px:", widths)
