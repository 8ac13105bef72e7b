/** Module-level flush()/shutdown() for code that did not keep the setup() handle. */
import { globalState } from "./state";

/** Export every finished span now. Await it before process.exit(). */
export async function flush(): Promise<void> {
  await globalState().handle?.forceFlush();
}
export async function shutdown(): Promise<void> {
  await globalState().handle?.shutdown();
}
