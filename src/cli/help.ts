/** The CLI's help texts: `inference-tracing --help`, `<command> --help`. */
import { BIN } from "./args";

const FILTER_HELP = `Filters:
  -k, --kind KIND            span kind: AGENT, LLM, TOOL, CHAIN, RETRIEVER, EMBEDDING (repeat or comma-separate)
  -m, --metadata KEY=VALUE   any attribute, e.g. session.id=conv-1, tool.name=lookup_order, app.tenant_id=acme
                             (VALUE* matches a prefix; repeat to require several)
  -f, --filter EXPR          numeric comparison on duration, tokens_prompt, tokens_completion, tokens_total,
                             cost_prompt, cost_completion, cost_total (traces also: spans, llm_calls, tool_calls,
                             errors), e.g. "cost_total>0.05", "duration>=2s", "tokens_total>1000,errors=0"
      --name TEXT            name contains TEXT
      --status STATUS        error, ok or unset
      --since WHEN           30m, 2h, 1d, or a date
      --sort FIELD           start_time (default), duration, tokens_total, cost_total, name, …
      --order asc|desc       default desc
  -n, --limit N              default 50 ("all" or 0: no limit)
  -w, --wide                 full ids and values (tables otherwise fit the terminal: ids shortened, names cut with …)
      --json                 JSON for scripts`;

const COMMON = `Common options:
      --data-dir DIR         the local store (default $CATALYST_LOCAL_DIR or ~/.local/share/inference-tracing)
      --no-color             plain output`;

const TRACE_LIST = `${BIN} trace list [filters]`;
const TRACE_GET = `${BIN} trace get <trace-id> [--json]`;
const SPAN_LIST = `${BIN} span list [filters] [--trace <trace-id>]`;
const SPAN_GET = `${BIN} span get <trace-id> <span-id> [--view attributes|messages|io|events] [--json]`;

const TRACE_GET_TEXT = `Prints the trace as a tree: kind, name, duration, model, tokens, cost, the tools a model
called, and errors. A unique prefix of the trace id is enough.`;
const SPAN_GET_TEXT = `Views:
  attributes   every attribute and the resource (default)
  messages     an LLM span's input and output messages, with tool calls and tool results
  io           input.value and output.value, JSON pretty-printed
  events       events, such as recorded exceptions`;

export const HELP: Record<string, string> = {
  main: `Usage: ${BIN} <command> [options]

See your agent's traces locally, no account needed.

Commands:
  serve                         start the local collector (OTLP/HTTP on 127.0.0.1:4318) and the web view
  trace list                    list traces, newest first
  trace get <trace-id>          print one trace as a tree
  span list                     list spans
  span get <trace-id> <span-id> print one span (--view attributes|messages|io|events)
  tail                          print each trace as it arrives
  import <file>…                load a CATALYST_TRACES_FILE (or OTLP/JSON) file into the store
  doctor                        check that the app in this folder will be traced (SDKs, versions, preload, endpoint)

Send traces:  CATALYST_OTLP_ENDPOINT=http://127.0.0.1:4318 node --import @inference/tracing/register app.js
Run \`${BIN} <command> --help\` for a command's options.`,
  serve: `Usage: ${BIN} serve [options]

Starts an OTLP/HTTP trace receiver (JSON and protobuf) that keeps spans on disk, and a web
view of them at the same address.

Options:
  -p, --port PORT            default 4318 (the standard OTLP/HTTP port)
      --host HOST            default 127.0.0.1
      --max-traces N         keep the newest N traces (default 20000; 0 keeps all)
      --prices FILE          JSON price table for cost of spans that arrive without llm.cost.*
  -q, --quiet                do not print a line per trace
${COMMON}`,
  trace: `Usage: ${TRACE_LIST}
       ${TRACE_GET}

trace list: traces, newest first.
trace get:  ${TRACE_GET_TEXT.replace(/\n/g, "\n            ")}

${FILTER_HELP}
  (for traces, --kind is the root span's kind and --metadata matches any span of the trace)
${COMMON}`,
  "trace list": `Usage: ${TRACE_LIST}

${FILTER_HELP}
  (for traces, --kind is the root span's kind and --metadata matches any span of the trace)
${COMMON}`,
  "trace get": `Usage: ${TRACE_GET}

${TRACE_GET_TEXT}
${COMMON}`,
  span: `Usage: ${SPAN_LIST}
       ${SPAN_GET}

span list: spans, newest first.
span get:  one span; ${SPAN_GET_TEXT.replace(/\n/g, "\n           ")}

${FILTER_HELP}
      --trace ID             only spans of this trace
${COMMON}`,
  "span list": `Usage: ${SPAN_LIST}

${FILTER_HELP}
      --trace ID             only spans of this trace
${COMMON}`,
  "span get": `Usage: ${SPAN_GET}

${SPAN_GET_TEXT}
${COMMON}`,
  tail: `Usage: ${BIN} tail [options]

Prints each trace as it arrives. Follows the collector on --host/--port when one runs;
otherwise starts one in this process (and says so), until Ctrl-C.

Options:
  -p, --port PORT            default 4318
      --host HOST            default 127.0.0.1
  -k, --kind KIND            only traces whose root span has this kind
  -m, --metadata KEY=VALUE   only traces with a span carrying this attribute
  -f, --filter EXPR          only traces matching, e.g. "cost_total>0.01" or "errors>0"
      --json                 one JSON object per trace ({ trace, spans })
${COMMON}`,
  import: `Usage: ${BIN} import <file>…

Loads span files into the local store: CATALYST_TRACES_FILE files (one span per line) and
OTLP/JSON export requests (one per line, or a whole file). Spans already in the store are
replaced, not duplicated; a record that cannot be stored is skipped with its line number.

Options:
      --prices FILE          JSON price table for cost of spans that arrive without llm.cost.*
${COMMON}`,
};

export function help(topic: string, io: { out: (t: string) => void }): number {
  io.out(HELP[topic] ?? HELP.main!);
  return 0;
}
