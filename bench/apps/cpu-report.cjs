// Start-up benchmark only: preloaded first, it writes the process's own CPU time (user + system,
// µs, all threads) to fd 3 as the process exits. On a shared machine CPU time moves far less
// than wall time, because waiting for a core is not counted.
process.on("exit", () => {
  const u = process.cpuUsage();
  try {
    require("node:fs").writeSync(3, `${u.user + u.system}\n`);
  } catch {
    /* no fd 3: not run by the benchmark */
  }
});
