// (b) an ESM app that imports both provider SDKs and makes one client of each
import OpenAI from "openai";
import Anthropic from "@anthropic-ai/sdk";
const o = new OpenAI({ apiKey: "sk-bench" });
const a = new Anthropic({ apiKey: "sk-ant-bench" });
console.log(typeof o.chat.completions.create, typeof a.messages.create);
