// Before `npm test`: the web view's browser test needs Debian's Chromium (playwright-core never
// downloads a browser). Install it when it is missing and we can (root with apt-get, as on a
// fresh machine of this project and in CI); otherwise say exactly what to do.
import { execSync } from "node:child_process";
import * as fs from "node:fs";

const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (!fs.existsSync(chromium)) {
  const canInstall = process.getuid?.() === 0 && fs.existsSync("/usr/bin/apt-get");
  if (!canInstall) {
    console.error(`The web view test needs Chromium at ${chromium}: install Debian's package (sudo apt-get install -y chromium) or set CHROMIUM_PATH.`);
    process.exit(1);
  }
  console.error("Installing Debian's chromium for the web view test (apt-get)…");
  execSync("apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium", { stdio: ["ignore", "ignore", "inherit"] });
}
