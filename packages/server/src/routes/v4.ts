/**
 * AgentOps' v4 uploads, as its 0.4.x SDKs make them: a session's captured logs
 * (`/v4/logs/upload/`, the session named by a `Trace-Id` header holding the trace id as a decimal
 * integer) and objects (`/v4/objects/upload/`). Each is stored, bounded, and answered with the URL
 * it can be read back from (`GET /v4/uploads/:id`, with the project's key or token).
 */
import { randomUUID } from 'node:crypto';
import { traceIdToSessionId } from '@agentops/exporter';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SessionTokens } from '../auth/SessionTokens.js';
import type { Store, UploadRow } from '../db/Store.js';
import type { Ingest } from '../ingest.js';
import { projectOf, requireProject } from './auth.js';
import { badRequest, notFound } from './replies.js';

/** Largest upload, as AgentOps' own (25 MB). */
export const MAX_UPLOAD_BYTES = 25 * 1024 * 1024;
/** Most log bytes one session keeps; later uploads are refused with 413. */
export const MAX_SESSION_LOG_BYTES = 50 * 1024 * 1024;

const uploadBodySchema = {
  type: 'object',
  required: ['body'],
  properties: { body: { type: 'string' } },
} as const;

/** The session of a `Trace-Id` header (a 128-bit trace id as a decimal integer), or undefined. */
export function sessionOfTraceIdHeader(header: unknown): string | undefined {
  if (typeof header !== 'string' || !/^\d{1,39}$/.test(header.trim())) return undefined;
  const id = BigInt(header.trim());
  if (id === 0n || id >= 1n << 128n) return undefined;
  return traceIdToSessionId(id.toString(16).padStart(32, '0'));
}

export function registerV4Routes(
  app: FastifyInstance,
  deps: { store: Store; ingest: Ingest; tokens: SessionTokens; publicUrl: () => string },
): void {
  const { store } = deps;
  const project = requireProject(store, deps.tokens);

  /** Stores an upload (within `sessionLimit` bytes of its kind for its session); undefined when past it. */
  const save = async (
    request: FastifyRequest,
    kind: UploadRow['kind'],
    sessionId: string | null,
    text: string,
    sessionLimit?: number,
  ) => {
    const body = deps.ingest.uploadText(kind, text);
    const upload = {
      id: randomUUID(),
      project_id: projectOf(request).id,
      session_id: sessionId,
      kind,
      body,
      size: Buffer.byteLength(body, 'utf8'),
      created_at: new Date().toISOString(),
    };
    if (!(await store.addUpload(upload, sessionLimit))) return undefined;
    return { url: `${deps.publicUrl()}/v4/uploads/${upload.id}`, size: upload.size };
  };
  /** The session a request's `Trace-Id` names, made if it is new; undefined when a reply was sent. */
  const sessionOf = async (
    request: FastifyRequest,
    reply: FastifyReply,
    required: boolean,
  ): Promise<string | null | undefined> => {
    const header = request.headers['trace-id'];
    if (header === undefined && !required) return null;
    const sessionId = sessionOfTraceIdHeader(header);
    if (!sessionId) {
      void badRequest(reply, 'the Trace-Id header must be the trace id as a decimal integer');
      return undefined;
    }
    const projectId = projectOf(request).id;
    let owner = await store.sessionOwner(sessionId);
    if (owner === undefined) {
      // Made as the OTLP path makes a session it has not seen: through the one validation. Another
      // instance may make it first, for another project: whose it is is read again.
      await deps.ingest.session(projectId, { session_id: sessionId, init_timestamp: new Date().toISOString() });
      owner = await store.sessionOwner(sessionId);
    }
    if (owner !== projectId) {
      void notFound(reply);
      return undefined;
    }
    return sessionId;
  };
  const options = {
    schema: { body: uploadBodySchema },
    preHandler: project,
    bodyLimit: MAX_UPLOAD_BYTES + 1024,
  };

  const tooLarge = (reply: FastifyReply, message: string) =>
    reply.code(413).send({ statusCode: 413, error: 'Payload Too Large', message });

  app.post<{ Body: { body: string } }>('/v4/logs/upload/', options, async (request, reply) => {
    const size = Buffer.byteLength(request.body.body, 'utf8');
    if (size > MAX_UPLOAD_BYTES) return tooLarge(reply, `an upload is at most ${MAX_UPLOAD_BYTES} bytes`);
    const sessionId = await sessionOf(request, reply, true);
    if (!sessionId) return reply;
    // Checked and stored as one step: concurrent uploads cannot together pass the limit.
    const saved = await save(request, 'logs', sessionId, request.body.body, MAX_SESSION_LOG_BYTES);
    return saved ?? tooLarge(reply, `a session keeps at most ${MAX_SESSION_LOG_BYTES} bytes of logs`);
  });

  app.post<{ Body: { body: string } }>('/v4/objects/upload/', options, async (request, reply) => {
    const size = Buffer.byteLength(request.body.body, 'utf8');
    if (size > MAX_UPLOAD_BYTES) return tooLarge(reply, `an upload is at most ${MAX_UPLOAD_BYTES} bytes`);
    const sessionId = await sessionOf(request, reply, false);
    if (sessionId === undefined) return reply;
    return save(request, 'object', sessionId, request.body.body);
  });

  app.get<{ Params: { id: string } }>(
    '/v4/uploads/:id',
    {
      schema: { params: { type: 'object', properties: { id: { type: 'string', maxLength: 64 } } } },
      preHandler: project,
    },
    async (request, reply) => {
      const body = await store.uploadBody(projectOf(request).id, request.params.id);
      if (body === undefined)
        return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: 'Upload not found' });
      return reply.type('text/plain; charset=utf-8').send(body);
    },
  );
}
