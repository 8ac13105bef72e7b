/** One finished span as a plain JSON record: the line format of CATALYST_TRACES_FILE and what the local store keeps. */
export interface SpanRecord {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  /** The parent is in another process (a distributed trace): this span is the local root. */
  remoteParent?: boolean;
  name: string;
  kind: number;
  startTimeMs: number;
  endTimeMs: number;
  durationMs: number;
  status: { code: number; message?: string };
  attributes: Record<string, unknown>;
  events: { name: string; timeMs: number; attributes?: Record<string, unknown> }[];
  resource: Record<string, unknown>;
  scope: { name: string; version?: string };
}

/** Set (true) on an LLM span whose token counts were estimated with a tokenizer, not reported by the provider. */
export const TOKENS_ESTIMATED_ATTR = "llm.token_count.estimated";
