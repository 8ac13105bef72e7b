// (c) the same app in CommonJS
const OpenAI = require("openai");
const Anthropic = require("@anthropic-ai/sdk");
const o = new OpenAI({ apiKey: "sk-bench" });
const a = new Anthropic({ apiKey: "sk-ant-bench" });
console.log(typeof o.chat.completions.create, typeof a.messages.create);
