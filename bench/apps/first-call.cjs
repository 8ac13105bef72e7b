// The wall time of an app's first chat completion and of the ten after it (mock server from env).
const OpenAI = require("openai");
const client = new OpenAI({ apiKey: "sk-bench", baseURL: process.env.MOCK_BASE_URL, maxRetries: 0 });
const body = { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] };
(async () => {
  let t = performance.now();
  await client.chat.completions.create(body);
  const first = performance.now() - t;
  t = performance.now();
  for (let i = 0; i < 10; i++) await client.chat.completions.create(body);
  console.log(JSON.stringify({ first, next: (performance.now() - t) / 10 }));
})();
