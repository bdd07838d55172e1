/**
 * Amazon Bedrock (the real `@aws-sdk/client-bedrock-runtime`) against a local fake of its runtime
 * API, recorded with no code through OpenInference's Bedrock instrumentation: the Converse API,
 * ConverseStream (AWS's event-stream framing) and InvokeModel with an Anthropic body, each an LLM
 * call with model, tokens, cost and messages.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { sdkSuite } from './helpers/sdk-suite.js';

type BedrockModule = typeof import('@aws-sdk/client-bedrock-runtime');

const suite = sdkSuite({ fake: true });

const MODEL = 'anthropic.claude-3-5-haiku-20241022-v1:0';

describe('@aws-sdk/client-bedrock-runtime', () => {
  it('Converse, ConverseStream and InvokeModel: an LLM call each, with tokens, cost and messages', async () => {
    const session = suite.start();
    const bedrock = createRequire(import.meta.url)('@aws-sdk/client-bedrock-runtime') as BedrockModule;
    const client = new bedrock.BedrockRuntimeClient({
      region: 'us-east-1',
      endpoint: suite.fake.bedrockEndpoint,
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
    });
    const converse = await session.run(() =>
      client.send(
        new bedrock.ConverseCommand({
          modelId: MODEL,
          system: [{ text: 'You know Portugal.' }],
          messages: [{ role: 'user', content: [{ text: 'How many hills has Lisbon?' }] }],
          inferenceConfig: { maxTokens: 200, temperature: 0.3 },
        }),
      ),
    );
    expect(converse.output?.message?.content?.[0]?.text).toBe('Lisbon has seven hills.');

    const streamed = await session.run(() =>
      client.send(
        new bedrock.ConverseStreamCommand({
          modelId: MODEL,
          messages: [{ role: 'user', content: [{ text: 'And Rome?' }] }],
        }),
      ),
    );
    let text = '';
    for await (const event of streamed.stream ?? []) text += event.contentBlockDelta?.delta?.text ?? '';
    expect(text).toBe('Seven hills.');

    const invoked = await session.run(() =>
      client.send(
        new bedrock.InvokeModelCommand({
          modelId: MODEL,
          contentType: 'application/json',
          body: JSON.stringify({
            anthropic_version: 'bedrock-2023-05-31',
            max_tokens: 100,
            messages: [{ role: 'user', content: 'Which river runs through Porto?' }],
          }),
        }),
      ),
    );
    expect(JSON.parse(new TextDecoder().decode(invoked.body)).content[0].text).toBe('Porto is on the Douro.');
    await session.endSession('Success');

    const data = await suite.server.exported(session.id);
    expect(data.llms).toHaveLength(3);
    const [conversed, stream, invoke] = data.llms;
    // OpenInference names the model without its vendor prefix and version, the provider `aws`.
    expect(conversed).toMatchObject({
      model: 'claude-3-5-haiku-20241022',
      provider: 'aws',
      prompt_tokens: 25,
      completion_tokens: 9,
    });
    expect(Number(conversed?.cost)).toBeGreaterThan(0);
    expect(JSON.stringify(conversed?.prompt)).toContain('How many hills has Lisbon?');
    expect(JSON.stringify(conversed?.completion)).toContain('Lisbon has seven hills.');
    expect(stream).toMatchObject({ prompt_tokens: 12, completion_tokens: 3 });
    expect(JSON.stringify(stream?.completion)).toContain('Seven hills.');
    expect(invoke).toMatchObject({ prompt_tokens: 18, completion_tokens: 7 });
    expect(JSON.stringify(invoke?.completion)).toContain('Porto is on the Douro.');
  });
});
