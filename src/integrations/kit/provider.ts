/**
 * llm.provider: who serves a model call. Values are OpenInference's LLMProvider names where it
 * has one; a server it does not know (an OpenAI-compatible gateway, a local model server) is
 * named by its host.
 */
import { LLMProvider } from "@arizeai/openinference-semantic-conventions";

const HOST_SUFFIX_TO_PROVIDER: [string, string][] = [
  ["api.openai.com", LLMProvider.OPENAI],
  ["openai.azure.com", LLMProvider.AZURE],
  ["services.ai.azure.com", LLMProvider.AZURE],
  ["cognitiveservices.azure.com", LLMProvider.AZURE],
  ["api.anthropic.com", LLMProvider.ANTHROPIC],
  ["api.cohere.com", LLMProvider.COHERE],
  ["api.cohere.ai", LLMProvider.COHERE],
  ["api.mistral.ai", LLMProvider.MISTRALAI],
  ["generativelanguage.googleapis.com", LLMProvider.GOOGLE],
  ["aiplatform.googleapis.com", LLMProvider.GOOGLE],
  ["amazonaws.com", LLMProvider.AWS],
  ["api.x.ai", LLMProvider.XAI],
  ["api.deepseek.com", LLMProvider.DEEPSEEK],
  ["api.groq.com", LLMProvider.GROQ],
  ["api.fireworks.ai", LLMProvider.FIREWORKS],
  ["api.moonshot.cn", LLMProvider.MOONSHOT],
  ["api.cerebras.ai", LLMProvider.CEREBRAS],
  ["api.perplexity.ai", LLMProvider.PERPLEXITY],
  ["api.together.ai", LLMProvider.TOGETHER],
  ["api.together.xyz", LLMProvider.TOGETHER],
  ["ollama.com", LLMProvider.OLLAMA],
];

const providerCache = new Map<string, string>();

/**
 * llm.provider from a client's base URL: a known API host gives its provider name
 * (openai, azure, anthropic, …); any other server gives its host name.
 */
export function providerFromBaseURL(baseURL: unknown, fallback: string): string {
  if (typeof baseURL !== "string" || baseURL === "") return fallback;
  const cached = providerCache.get(baseURL);
  if (cached) return cached;
  let host: string;
  try {
    host = new URL(baseURL).hostname.toLowerCase();
  } catch {
    return fallback;
  }
  let provider = host;
  for (const [suffix, p] of HOST_SUFFIX_TO_PROVIDER) {
    if (host === suffix || host.endsWith("." + suffix)) {
      provider = p;
      break;
    }
  }
  if (providerCache.size < 64) providerCache.set(baseURL, provider);
  return provider;
}

/** The SDK client behind a resource object (`this._client`) or the client itself. */
export function clientOf(self: any): any {
  return self?._client ?? self;
}
