/**
 * The web view in a real headless Chromium (Debian's `chromium`, driven by playwright-core),
 * against traces the fixture agent produced through the preload into `serve`.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type Page } from "playwright-core";
import { runAgent, startOpenAIMock, startServe, type OpenAIMock } from "../cli/helpers";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
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

async function openTrace(session: string): Promise<void> {
  await page.locator(`details.session[data-session="${session}"] .trace-row`).first().click();
  await page.waitForFunction((s) => document.querySelector(".trace-head")?.textContent?.includes(`session ${s}`), session);
}

describe("web view", () => {
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
    await row.click();
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
    await page.locator(`.trace-row[data-trace-id="${traceId}"]`).click();
    await page.waitForSelector(".conv .msg");
    expect(await page.locator('.span-row[data-kind="LLM"] .nm').textContent()).toBe('<img src=x onerror="window.__pwned=1">');
    expect(await page.locator(".conv .msg .body").textContent()).toBe("<script>window.__pwned=2</script>");
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator("main img, main script").count()).toBe(0);
  });

  it("ran without page errors", () => {
    expect(pageErrors).toEqual([]);
  });
});
