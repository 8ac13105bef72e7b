// Before `npm test`: say up front what will not run here. The web view's browser test needs a
// Chromium (Debian's `chromium` at /usr/bin/chromium, or CHROMIUM_PATH; playwright-core never
// downloads one). Without it that test is reported skipped, with this reason; CI installs
// Chromium and sets CATALYST_REQUIRE_BROWSER=1, which makes a missing browser a failure instead.
import * as fs from "node:fs";

const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (!fs.existsSync(chromium)) {
  const note = `no Chromium at ${chromium}: the web view's browser test (test/web) will be skipped. Install Debian's package (sudo apt-get install -y chromium) or set CHROMIUM_PATH to run it.`;
  if (process.env.CATALYST_REQUIRE_BROWSER === "1") {
    console.error(`error: ${note}`);
    process.exit(1);
  }
  console.error(`note: ${note}`);
}
