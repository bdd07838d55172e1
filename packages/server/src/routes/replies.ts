/** Error replies in Fastify's own shape (`statusCode`, `error`, `message`). */
import type { FastifyReply } from 'fastify';
import { BadInput } from '../ingest.js';

export function unauthorized(reply: FastifyReply, message: string): FastifyReply {
  return reply.code(401).send({ statusCode: 401, error: 'Unauthorized', message });
}

export function notFound(reply: FastifyReply): FastifyReply {
  return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: 'Session not found' });
}

export function badRequest(reply: FastifyReply, message: string): FastifyReply {
  return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message });
}

/** Runs a write; input the store cannot take becomes a 400 with the reason, and false. */
export async function ingestOr400(reply: FastifyReply, write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (err) {
    if (!(err instanceof BadInput)) throw err;
    void badRequest(reply, err.message);
    return false;
  }
}
