/**
 * Trace and span ids for our tracer provider, cut from a pool of random hex: the random bytes of
 * 256 spans are written and converted to hex in one go, where the SDK's generator made buffer
 * writes and a hex conversion (a call into C++) for each id. Math.random, as the SDK's generator
 * uses; ids are lowercase hex of the W3C lengths and never all zeros (the spec's invalid id).
 */
const POOL_BYTES = 4096;
const INVALID_SPAN_ID = "0".repeat(16);
const INVALID_TRACE_ID = "0".repeat(32);

export class PooledIdGenerator {
  private hex = "";
  private at = 0;
  private readonly bytes = Buffer.allocUnsafeSlow(POOL_BYTES);
  private readonly words = new Uint32Array(this.bytes.buffer, this.bytes.byteOffset, POOL_BYTES / 4);

  generateTraceId(): string {
    let id = this.take(32);
    while (id === INVALID_TRACE_ID) id = this.take(32);
    return id;
  }

  generateSpanId(): string {
    let id = this.take(16);
    while (id === INVALID_SPAN_ID) id = this.take(16);
    return id;
  }

  private take(chars: number): string {
    if (this.at + chars > this.hex.length) {
      const words = this.words;
      for (let i = 0; i < words.length; i++) words[i] = Math.random() * 2 ** 32;
      this.hex = this.bytes.toString("hex");
      this.at = 0;
    }
    const id = this.hex.slice(this.at, this.at + chars);
    this.at += chars;
    return id;
  }
}
