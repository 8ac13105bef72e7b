/** Reading what the OTLP receiver decoded. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  durationMs: number;
  attributes: Record<string, any>;
  events: { name: string; attributes: Record<string, any> }[];
  links: { traceId: string; spanId: string; attributes: Record<string, any> }[];
  status: { code: number; message?: string };
  resource: Record<string, any>;
  scope: { name: string; version?: string };
}

export const kindOf = (s: ReceivedSpan) => s.attributes["openinference.span.kind"];
export const byKind = (spans: ReceivedSpan[], kind: string) => spans.filter((s) => kindOf(s) === kind);
export const byName = (spans: ReceivedSpan[], name: string) => spans.filter((s) => s.name === name);
export const childrenOf = (spans: ReceivedSpan[], parent: ReceivedSpan) => spans.filter((s) => s.parentSpanId === parent.spanId);
export function one(spans: ReceivedSpan[], pred: (s: ReceivedSpan) => boolean, what = "span"): ReceivedSpan {
  const found = spans.filter(pred);
  if (found.length !== 1) throw new Error(`expected exactly one ${what}, found ${found.length}: ${spans.map((s) => `${kindOf(s)}:${s.name}`).join(", ")}`);
  return found[0]!;
}
