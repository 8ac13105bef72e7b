/**
 * The web view in a real headless Chromium (Debian's `chromium`, driven by playwright-core),
 * against traces the fixture agent produced through the preload into `serve`. Without Chromium
 * the file is reported skipped, with the reason; CI (CATALYST_REQUIRE_BROWSER=1) fails instead.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type Locator, type Page } from "playwright-core";
import { runAgent, startOpenAIMock, startServe, type OpenAIMock } from "../cli/helpers";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const NO_BROWSER = !fs.existsSync(CHROMIUM) && process.env.CATALYST_REQUIRE_BROWSER !== "1";
const SKIPPED = NO_BROWSER ? ` (skipped: no Chromium at ${CHROMIUM}; install Debian's chromium or set CHROMIUM_PATH)` : "";
// the reason, in the run's output as well as in the skipped tests' names
if (NO_BROWSER) console.warn(`test/web/page.test.ts is skipped: no Chromium at ${CHROMIUM}; install Debian's chromium (apt-get install -y chromium) or set CHROMIUM_PATH.`);
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "web-test-"));
const SHOTS = process.env.SCREENSHOT_DIR ?? tmp;
let mock: OpenAIMock;
let serve: Awaited<ReturnType<typeof startServe>>;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  if (NO_BROWSER) return;
  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium is needed at ${CHROMIUM}: apt-get install -y chromium`);
  mock = await startOpenAIMock();
  serve = await startServe(path.join(tmp, "store"));
  const r = await runAgent({ OPENAI_BASE_URL: mock.baseURL, TICKETS: "2", FAIL: "1", CATALYST_OTLP_ENDPOINT: serve.url });
  expect(r.code, r.stderr).toBe(0);
  await serve.waitFor(/Refund Agent/);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on("pageerror", (e) => pageErrors.push(e.message));
  await page.goto(`${serve.url}/`);
  await page.waitForSelector(".trace-row");
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
  await mock?.close();
  if (!process.env.SCREENSHOT_DIR) fs.rmSync(tmp, { recursive: true, force: true });
});

const texts = (selector: string) => page.locator(selector).allTextContents();

/** Click a trace row and wait until its trace is shown: the trace shown before stays on the page until its data arrives. */
async function openRow(row: Locator): Promise<void> {
  const id = await row.getAttribute("data-trace-id");
  expect(id).toBeTruthy();
  await row.click();
  await page.waitForFunction((t) => document.querySelector(".trace-head .ids")?.textContent?.includes(t), id!);
}

async function openTrace(session: string): Promise<void> {
  await openRow(page.locator(`details.session[data-session="${session}"] .trace-row`).first());
  await page.waitForFunction((s) => document.querySelector(".trace-head")?.textContent?.includes(`session ${s}`), session);
}

describe.skipIf(NO_BROWSER)(`web view${SKIPPED}`, () => {
  it("groups traces by agent, then session", async () => {
    const agents = await page.locator("details.group").evaluateAll((els) => els.map((e) => e.getAttribute("data-agent")));
    expect(agents.sort()).toEqual(["Refund Agent (refund-agent)", "Support Agent (support-agent)"]);
    const support = page.locator('details.group[data-agent="Support Agent (support-agent)"]');
    const sessions = await support.locator("details.session").evaluateAll((els) => els.map((e) => e.getAttribute("data-session")));
    expect(sessions.sort()).toEqual(["ticket-1", "ticket-2"]);
    expect(await support.locator(".trace-row").count()).toBe(2);
    expect(await page.locator("#count").textContent()).toBe("3 of 3 traces");
    expect(await page.locator("#live").textContent()).toBe("● live");
  });

  it("shows a trace as a tree with a timing waterfall, tokens and cost", async () => {
    await openTrace("ticket-1");
    const head = (await page.locator(".trace-head").textContent())!;
    expect(head).toContain("Support Agent");
    expect(head).toContain("4 spans");
    expect(head).toContain("2 LLM calls");
    expect(head).toMatch(/\d+ → \d+ tokens \(\d+\)/);
    expect(await page.locator(".trace-head .chip.cost").textContent()).toMatch(/^\$0\.\d+$/);
    const rows = page.locator(".span-row");
    expect(await rows.evaluateAll((els) => els.map((e) => e.getAttribute("data-kind")))).toEqual(["AGENT", "LLM", "TOOL", "LLM"]);
    // nesting: children are indented under the agent
    const guides = await rows.evaluateAll((els) => els.map((e) => e.querySelectorAll(".guide").length));
    expect(guides).toEqual([0, 1, 1, 1]);
    // the waterfall: bars placed by start time and sized by duration inside the trace's span
    const bars = await page.locator(".span-row .bar").evaluateAll((els) =>
      els.map((e) => ({ left: parseFloat((e as HTMLElement).style.left), width: parseFloat((e as HTMLElement).style.width) })),
    );
    expect(bars[0]!.left).toBeCloseTo(0, 1);
    expect(bars[0]!.width).toBeGreaterThan(95);
    for (const b of bars) {
      expect(b.left).toBeGreaterThanOrEqual(0);
      expect(b.left + b.width).toBeLessThanOrEqual(100.01);
    }
    expect(bars[1]!.left).toBeLessThanOrEqual(bars[2]!.left);
    expect(bars[2]!.left).toBeLessThanOrEqual(bars[3]!.left);
    expect(bars[1]!.left + bars[1]!.width).toBeLessThanOrEqual(bars[3]!.left + 0.01);
    const llmSub = await page.locator('.span-row[data-kind="LLM"] .sub').first().textContent();
    expect(llmSub).toMatch(/gpt-4o-mini.* · \d+ tok · \$0\.\d+/);
  });

  it("renders an LLM span's messages as a conversation with the tool call and its result", async () => {
    await openTrace("ticket-2");
    await page.locator('.span-row[data-kind="LLM"]').nth(1).click();
    await page.waitForSelector('.tab.active[data-tab="conversation"]');
    const roles = await page.locator(".conv .msg").evaluateAll((els) => els.map((e) => e.getAttribute("data-role")));
    expect(roles).toEqual(["system", "user", "assistant", "tool", "assistant"]);
    expect(await page.locator('.conv .msg[data-role="user"] .body').textContent()).toBe("Where is my order ORD-1002?");
    const call = page.locator('.conv .msg[data-role="assistant"] .toolcall[data-tool="lookup_order"]');
    expect(await call.count()).toBe(1);
    expect(await call.locator("pre").textContent()).toMatch(/"order_id": "ABC-123"/);
    expect(await page.locator('.conv .msg[data-role="tool"] .role').textContent()).toMatch(/^tool result · call_/);
    expect(await page.locator('.conv .msg[data-role="tool"] .body').textContent()).toMatch(/"status": "shipped"/);
    expect((await texts(".conv .msg"))[4]).toMatch(/Done: /);
    const chips = (await page.locator(".detail-head .chips").textContent())!;
    expect(chips).toMatch(/\d+ prompt · \d+ completion · \d+ total/);
    expect(chips).toMatch(/cost \$0\.\d+/);
    expect(chips).toContain("gpt-4o-mini");
    // other views of the same span
    await page.locator('.tab[data-tab="attributes"]').click();
    expect(await page.locator(".pane .kv").first().textContent()).toContain("llm.cost.total");
    await page.locator('.tab[data-tab="conversation"]').click();
    const shot = path.join(SHOTS, "local-view-trace.png");
    await page.screenshot({ path: shot });
    const png = fs.readFileSync(shot);
    expect(png.subarray(1, 4).toString()).toBe("PNG");
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1440, 900]);
    expect(png.length).toBeGreaterThan(30_000);
  });

  it("highlights errors", async () => {
    const row = page.locator('details.group[data-agent="Refund Agent (refund-agent)"] .trace-row');
    expect(await row.getAttribute("class")).toContain("error");
    expect(await row.locator(".err").textContent()).toMatch(/✗ 2 errors/);
    await openRow(row);
    await page.waitForSelector(".span-row.error");
    expect(await page.locator(".span-row.error").count()).toBe(2);
    expect(await page.locator(".span-row .bar.error").count()).toBe(2);
    const color = await page.locator(".span-row.error .nm").first().evaluate((e) => getComputedStyle(e).color);
    expect(color).toBe("rgb(212, 44, 44)");
    expect(await page.locator(".error-box").textContent()).toMatch(/500/);
    await page.locator('.span-row[data-kind="LLM"]').click();
    expect(await page.locator(".error-box pre").textContent()).toMatch(/at /);
    await page.locator('.tab[data-tab="events"]').click();
    expect(await page.locator(".event.exception").count()).toBe(1);
    await page.screenshot({ path: path.join(SHOTS, "local-view-error.png") });
    await page.locator("#errors-only").check();
    expect(await page.locator(".trace-row").count()).toBe(1);
    await page.locator("#errors-only").uncheck();
  });

  it("updates live as spans arrive", async () => {
    await openTrace("ticket-1");
    const before = await page.locator('details.session[data-session="ticket-1"] .trace-row').count();
    const r = await runAgent({ OPENAI_BASE_URL: mock.baseURL, TICKETS: "1", CATALYST_OTLP_ENDPOINT: serve.url });
    expect(r.code).toBe(0);
    await page.waitForFunction(
      (n) => document.querySelectorAll('details.session[data-session="ticket-1"] .trace-row').length === n + 1,
      before,
      { timeout: 15_000 },
    );
    expect(await page.locator(".trace-row.new").count()).toBeGreaterThanOrEqual(1);
    expect(await page.locator("#count").textContent()).toBe("4 of 4 traces");
  });

  it("shows span content as text, never as markup", async () => {
    const traceId = "ab".repeat(16);
    const body = JSON.stringify({
      resourceSpans: [
        {
          resource: { attributes: [{ key: "service.name", value: { stringValue: "xss" } }] },
          scopeSpans: [
            {
              scope: { name: "t" },
              spans: [
                {
                  traceId,
                  spanId: "cd".repeat(8),
                  name: '<img src=x onerror="window.__pwned=1">',
                  kind: 1,
                  startTimeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
                  endTimeUnixNano: String(BigInt(Date.now() + 5) * 1_000_000n),
                  attributes: [
                    { key: "openinference.span.kind", value: { stringValue: "LLM" } },
                    { key: "llm.input_messages.0.message.role", value: { stringValue: "user" } },
                    { key: "llm.input_messages.0.message.content", value: { stringValue: "<script>window.__pwned=2</script>" } },
                  ],
                },
              ],
            },
          ],
        },
      ],
    });
    await new Promise<void>((resolve, reject) => {
      const req = http.request(`${serve.url}/v1/traces`, { method: "POST", headers: { "content-type": "application/json" } }, (res) => {
        res.resume();
        res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(String(res.statusCode)))));
      });
      req.on("error", reject);
      req.end(body);
    });
    await page.waitForSelector(`.trace-row[data-trace-id="${traceId}"]`, { timeout: 15_000 });
    await openRow(page.locator(`.trace-row[data-trace-id="${traceId}"]`));
    await page.waitForSelector(".conv .msg");
    expect(await page.locator('.span-row[data-kind="LLM"] .nm').textContent()).toBe('<img src=x onerror="window.__pwned=1">');
    expect(await page.locator(".conv .msg .body").textContent()).toBe("<script>window.__pwned=2</script>");
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator("main img, main script").count()).toBe(0);
  });


  it("marks estimated tokens with ≈ and names the tools a model called", async () => {
    const r = await runAgent({ OPENAI_BASE_URL: mock.baseURL, TICKETS: "1", STREAM: "1", CATALYST_OTLP_ENDPOINT: serve.url });
    expect(r.code, r.stderr).toBe(0);
    const row = page.locator('details.session[data-session="ticket-1"] .trace-row').first();
    await page.waitForFunction(() => document.querySelectorAll('details.session[data-session="ticket-1"] .trace-row').length >= 3, undefined, { timeout: 15_000 });
    await openRow(row);
    const subs = await texts('.span-row[data-kind="LLM"] .sub');
    // the first call asked for the tool (from its output messages); the streamed answer had no usage
    expect(subs[0]).toMatch(/→ calls lookup_order/);
    expect(subs[0]).not.toMatch(/≈/);
    expect(subs[1]).toMatch(/≈\d+ tok · ≈\$0\.\d+/);
    expect(await page.locator(".trace-head .chips").textContent()).toMatch(/≈\d+ → \d+ tokens \(\d+\).*≈\$0\.\d+/);
    await page.locator('.span-row[data-kind="LLM"]').nth(1).click();
    expect(await page.locator(".detail-head .chip.tokens").textContent()).toMatch(/^≈\d+ prompt · ≈\d+ completion · ≈\d+ total$/);
  });

  it("shows long attribute values wrapped or collapsed, keys readable, JSON formatted on demand (1400 and 900 px)", async () => {
    for (const width of [1400, 900]) {
      await page.setViewportSize({ width, height: 900 });
      await openTrace("ticket-2");
      await page.locator('.span-row[data-kind="LLM"]').nth(1).click();
      await page.locator('.tab[data-tab="attributes"]').click();
      const rows = await page.locator(".pane .kv").first().locator(".kv-row").evaluateAll((els) =>
        els.map((e) => {
          const k = e.querySelector(".k")!.getBoundingClientRect();
          const v = e.querySelector(".v")!.getBoundingClientRect();
          return { key: e.getAttribute("data-key"), k: { left: k.left, right: k.right, width: k.width }, v: { left: v.left, right: v.right, width: v.width, height: v.height } };
        }),
      );
      expect(rows.length).toBeGreaterThan(20);
      for (const r of rows) {
        expect(r.v.right, `${width}px ${r.key}`).toBeLessThanOrEqual(width + 0.5);
        expect(r.v.width, `${width}px ${r.key}`).toBeGreaterThan(150);
        expect(r.k.width, `${width}px ${r.key}`).toBeGreaterThan(90);
        expect(r.k.right).toBeLessThanOrEqual(r.v.left);
      }
      const input = page.locator('.pane .kv-row[data-key="input.value"] .v');
      expect(await input.getAttribute("class")).toContain("collapsed");
      const collapsedHeight = (await input.boundingBox())!.height;
      expect(collapsedHeight).toBeLessThan(160);
      await input.locator("button.more").click();
      expect(await input.getAttribute("class")).not.toContain("collapsed");
      expect((await input.boundingBox())!.height).toBeGreaterThan(collapsedHeight);
      expect(await input.locator(".v-text").textContent()).not.toContain("\n");
      await input.locator("button.json").click();
      expect(await input.locator(".v-text").textContent()).toMatch(/^\{\n {2}"model": "gpt-4o-mini",\n {2}"messages": \[/);
      await page.screenshot({ path: path.join(SHOTS, `local-view-attributes-${width}.png`) });
    }
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it("does not cut span names at 1400 px when there is room", async () => {
    await page.setViewportSize({ width: 1400, height: 900 });
    await openTrace("ticket-1");
    const cut = await page.locator(".span-row .nm").evaluateAll((els) => els.filter((e) => e.scrollWidth > e.clientWidth).map((e) => e.textContent));
    expect(cut).toEqual([]);
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it("stacks the panes below 1000 px, with nothing overflowing sideways", async () => {
    await page.setViewportSize({ width: 900, height: 900 });
    await openTrace("ticket-1");
    await page.locator('.span-row[data-kind="LLM"]').first().click();
    const box = (sel: string) => page.locator(sel).boundingBox().then((b) => b!);
    const [list, trace, detail] = [await box("#list"), await box("#trace"), await box("#detail")];
    expect(list.y + list.height).toBeLessThanOrEqual(trace.y + 1);
    expect(trace.y + trace.height).toBeLessThanOrEqual(detail.y + 1);
    for (const b of [list, trace, detail]) expect(b.width).toBeGreaterThan(850);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(900);
    await page.screenshot({ path: path.join(SHOTS, "local-view-narrow.png") });
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it("never lets the time-scale labels overlap", async () => {
    await openTrace("ticket-1");
    for (const width of [1400, 1000, 900, 600, 420]) {
      await page.setViewportSize({ width, height: 800 });
      await page.waitForFunction(() => true);
      const boxes = await page.locator(".tree-scale .tick:not([hidden])").evaluateAll((els) => els.map((e) => e.getBoundingClientRect()).map((r) => ({ left: r.left, right: r.right })));
      expect(boxes.length, `${width}px`).toBeGreaterThanOrEqual(1);
      for (let i = 1; i < boxes.length; i++) expect(boxes[i]!.left, `${width}px`).toBeGreaterThanOrEqual(boxes[i - 1]!.right);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it("says so when the address names a trace that cannot be shown, and follows the address when it changes", async () => {
    const other = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    try {
      await other.goto(`${serve.url}/#trace=deadbeefdeadbeef`);
      await other.waitForSelector('.empty[data-problem="trace"]');
      expect(await other.locator('.empty[data-problem="trace"]').textContent()).toMatch(/Cannot show trace "deadbeefdeadbeef": no trace starting with deadbeefdeadbeef/);
      await other.goto(`${serve.url}/#trace=not-a-trace`);
      await other.reload();
      await other.waitForFunction(() => document.querySelector('.empty[data-problem="trace"]')?.textContent?.includes("not-a-trace"));
      expect(await other.locator('.empty[data-problem="trace"]').textContent()).toMatch(/is not a trace id/);
      // hashchange: a link or a typed address opens that trace, and that span
      const ticket2 = await other.evaluate(() => fetch("/api/traces?metadata=session.id%3Dticket-2").then((r) => r.json()));
      const id = ticket2.traces[0].traceId as string;
      await other.evaluate((h) => (location.hash = h), `#trace=${id}`);
      await other.waitForFunction(() => document.querySelector(".trace-head")?.textContent?.includes("session ticket-2"));
      const tool = await other.locator('.span-row[data-kind="TOOL"]').getAttribute("data-span-id");
      await other.evaluate((h) => (location.hash = h), `#trace=${id}&span=${tool}`);
      await other.waitForFunction(() => document.querySelector(".detail-head h3")?.textContent?.includes("lookup_order"));
      expect(await other.locator(".span-row.selected").getAttribute("data-span-id")).toBe(tool);
    } finally {
      await other.close();
    }
  });

  it("fits the empty-state hint in its pane", async () => {
    const empty = await startServe(path.join(tmp, "empty-store"));
    const other = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    try {
      for (const width of [1400, 900]) {
        await other.setViewportSize({ width, height: 900 });
        await other.goto(`${empty.url}/`);
        await other.waitForSelector("#list .empty .command");
        const hint = await other.locator("#list .empty").evaluate((e) => {
          const pane = document.getElementById("list")!.getBoundingClientRect();
          const r = e.getBoundingClientRect();
          const code = e.querySelector(".command")!;
          return { inside: r.left >= pane.left && r.right <= pane.right + 0.5, overflow: e.scrollWidth > e.clientWidth || code.scrollWidth > code.clientWidth, text: e.textContent };
        });
        expect(hint.text).toContain(`CATALYST_OTLP_ENDPOINT=${empty.url} node --import @inference/tracing/register app.js`);
        expect(hint, `${width}px`).toMatchObject({ inside: true, overflow: false });
      }
      // the usage view, with no metrics yet, says how to send them
      await other.goto(`${empty.url}/#usage=all`);
      await other.waitForSelector('#usage .empty[data-problem="usage"] .command');
      expect(await other.locator("#usage .empty").textContent()).toMatch(/^No GenAI metrics yet\..*every 60 s and when they exit/);
    } finally {
      await other.close();
      await empty.stop();
    }
  });

  it("has an icon", async () => {
    const href = await page.locator('link[rel="icon"]').getAttribute("href");
    const icon = await page.evaluate((h) => fetch(h!).then(async (r) => ({ status: r.status, type: r.headers.get("content-type"), body: await r.text() })), href);
    expect(icon).toMatchObject({ status: 200, type: "image/svg+xml" });
    expect(icon.body).toMatch(/^<svg /);
  });

  it("shows right-to-left overrides and zero-width characters in names as visible escapes", async () => {
    const traceId = "ef".repeat(16);
    const name = "invoice\u202efdp.exe\u200b";
    const body = JSON.stringify({
      resourceSpans: [
        {
          resource: { attributes: [] },
          scopeSpans: [
            {
              scope: { name: "t" },
              spans: [
                {
                  traceId,
                  spanId: "12".repeat(8),
                  name,
                  kind: 1,
                  startTimeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
                  endTimeUnixNano: String(BigInt(Date.now() + 5) * 1_000_000n),
                  attributes: [{ key: "openinference.span.kind", value: { stringValue: "TOOL" } }, { key: "tool.name", value: { stringValue: "a\u200bb" } }],
                },
              ],
            },
          ],
        },
      ],
    });
    await new Promise<void>((resolve, reject) => {
      const req = http.request(`${serve.url}/v1/traces`, { method: "POST", headers: { "content-type": "application/json" } }, (res) => {
        res.resume();
        res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(String(res.statusCode)))));
      });
      req.on("error", reject);
      req.end(body);
    });
    await page.waitForSelector(`.trace-row[data-trace-id="${traceId}"]`, { timeout: 15_000 });
    await openRow(page.locator(`.trace-row[data-trace-id="${traceId}"]`));
    for (const text of [await page.locator(".span-row .nm").textContent(), await page.locator(`.trace-row[data-trace-id="${traceId}"] .name`).textContent(), await page.locator(".detail-head h3").textContent()]) {
      expect(text).toContain("invoice\\u202efdp.exe\\u200b");
      expect(text).not.toMatch(/[\u202e\u200b]/);
    }
    expect(await page.locator(".span-row .sub").textContent()).toBe("a\\u200bb");
  });

  it("shows each model's tokens, cost, calls and errors from the apps' metrics, equal to the spans' sums, over time and live", async () => {
    await page.locator("#usage-link").click();
    await page.waitForSelector("#usage .usage-table");
    expect(await page.locator("main").isHidden()).toBe(true);
    expect(page.url()).toMatch(/#usage$/);
    /** What the spans say: every LLM span the agent runs so far made (the page's own JSON API). */
    const fromSpans = async () => {
      const spans = (await (await fetch(`${serve.url}/api/spans?kind=LLM&limit=all`)).json()).spans as { tokensPrompt?: number; tokensCompletion?: number; costTotal?: number; status: number }[];
      const sum = (pick: (s: (typeof spans)[number]) => number | undefined) => spans.reduce((n, s) => n + (pick(s) ?? 0), 0);
      return {
        input: sum((s) => s.tokensPrompt),
        output: sum((s) => s.tokensCompletion),
        cost: sum((s) => s.costTotal),
        answered: spans.filter((s) => s.tokensPrompt !== undefined).length,
        failed: spans.filter((s) => s.status === 2).length,
      };
    };
    const cell = (row: string, col: string) => page.locator(`#usage ${row} td[data-col="${col}"]`).getAttribute("data-value").then(Number);
    const shown = async (row: string) => ({ input: await cell(row, "input"), output: await cell(row, "output"), cost: await cell(row, "cost"), calls: await cell(row, "calls"), errors: await cell(row, "errors") });
    let want = await fromSpans();
    expect(want.input).toBeGreaterThan(0);
    const total = await shown("tfoot tr.total");
    expect(total).toMatchObject({ input: want.input, output: want.output, calls: want.answered + want.failed, errors: want.failed });
    expect(total.cost).toBeCloseTo(want.cost, 12);
    expect(await shown('tbody tr[data-model="gpt-4o-mini"]')).toMatchObject({ input: want.input, output: want.output, calls: want.answered, errors: 0 });
    expect(await shown('tbody tr[data-model="error-500"]')).toMatchObject({ input: 0, calls: want.failed, errors: want.failed });
    expect(await page.locator('#usage tbody tr[data-model="gpt-4o-mini"] td[data-col="input"]').textContent()).toBe(want.input.toLocaleString("en-US"));
    expect(await page.locator('#usage tbody tr[data-model="gpt-4o-mini"] td[data-col="cost"]').textContent()).toMatch(/^\$0\.\d+$/);
    // the chart: a bar per step with usage, stacked by model, in tokens or in dollars
    const bars = page.locator('#usage svg.bars rect[data-model="gpt-4o-mini"]');
    expect(await bars.count()).toBeGreaterThanOrEqual(1);
    expect(await bars.first().locator("title").textContent()).toMatch(/^gpt-4o-mini · .* · [\d,]+ tokens$/);
    await page.locator('#usage button[data-measure="cost"]').click();
    expect(await bars.first().locator("title").textContent()).toMatch(/^gpt-4o-mini · .* · \$0\.\d+$/);
    await page.screenshot({ path: path.join(SHOTS, "local-view-usage.png") });
    await page.locator('#usage button[data-range="7d"]').click();
    await page.waitForSelector('#usage button[data-range="7d"].active');
    expect(page.url()).toMatch(/#usage=7d$/);
    // live: another run of the app shows up without a reload
    const r = await runAgent({ OPENAI_BASE_URL: mock.baseURL, TICKETS: "1", CATALYST_OTLP_ENDPOINT: serve.url });
    expect(r.code, r.stderr).toBe(0);
    const before = want.input;
    await page.waitForFunction((n) => Number(document.querySelector('#usage tfoot tr.total td[data-col="input"]')?.getAttribute("data-value")) > n, before, { timeout: 15_000 });
    want = await fromSpans();
    expect(await cell("tfoot tr.total", "input")).toBe(want.input);
    // and back to the traces as they were
    await page.locator("#traces-link").click();
    expect(await page.locator("#usage").isHidden()).toBe(true);
    expect(await page.locator(".trace-head").isVisible()).toBe(true);
  });

  it("ran without page errors", () => {
    expect(pageErrors).toEqual([]);
  });
});
