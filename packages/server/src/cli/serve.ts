/** `agentops-server` with no command: runs the local API and dashboard until SIGINT or SIGTERM. */
import { readFileSync } from 'node:fs';
import { type MaskRule, parseMaskRules } from '@agentops/exporter';
import { startServer } from '../app.js';

export interface ServeOptions {
  db: string;
  host: string | undefined;
  port: string | undefined;
  apiKey: string | undefined;
  jwtTtl: string | undefined;
  maskFile: string | undefined;
  retentionInterval: string | undefined;
}

/** The rules of a `--mask-file`, every one checked: a policy applies whole or the server does not start. */
function maskRules(file: string): MaskRule[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`--mask-file ${file}: ${(err as Error).message}`);
  }
  try {
    return parseMaskRules(json);
  } catch (err) {
    throw new Error(`--mask-file ${file}: ${(err as Error).message}`);
  }
}

/** An option that must be a whole number, read as written (so the message can quote it). */
function wholeNumber(name: string, text: string): number {
  if (!/^\d{1,15}$/.test(text.trim())) throw new Error(`${name} must be a whole number (got ${JSON.stringify(text)})`);
  return Number(text);
}

/** Resolves once the server listens; the process then lives until a signal stops the server. */
export async function serveCommand(o: ServeOptions): Promise<void> {
  const mask = o.maskFile === undefined ? undefined : maskRules(o.maskFile);
  const server = await startServer({
    mask,
    db: o.db,
    host: o.host,
    port: wholeNumber('--port', o.port ?? process.env.PORT ?? '8787'),
    apiKey: o.apiKey ?? process.env.AGENTOPS_API_KEY,
    jwtTtlSeconds: o.jwtTtl === undefined ? undefined : wholeNumber('--jwt-ttl', o.jwtTtl),
    retentionIntervalSeconds:
      o.retentionInterval === undefined ? undefined : wholeNumber('--retention-interval', o.retentionInterval),
    // A misconfigured client shows here, once per route and status, instead of failing silently.
    onRefusal: (r) =>
      process.stderr.write(
        `refused ${r.method} ${r.route}: ${r.status}${r.reason ? ` ${r.reason}` : ''} (said once for this route and status)\n`,
      ),
  });
  process.stdout.write(`AgentOps local server listening on ${server.url}\n`);
  process.stdout.write(`Dashboard: ${server.url}/\n`);
  if (mask) process.stdout.write(`Masking at ingest: ${mask.length} rules from ${o.maskFile}\n`);
  if (server.createdApiKey) {
    process.stdout.write(`Created the local project. Its API key: ${server.createdApiKey}\n`);
    if (server.apiKeyFile) process.stdout.write(`(saved in ${server.apiKeyFile})\n`);
  } else if (server.apiKeyFile) {
    process.stdout.write(`API key of the local project: see ${server.apiKeyFile}\n`);
  }
  const stop = () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
