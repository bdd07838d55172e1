/**
 * HS256 JWTs bound to one session of one project, as the AgentOps API hands out on create_session
 * and reauthorize_jwt. The signing secret is made once and kept in the database.
 */
import { randomBytes } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import type { Store } from '../db/Store.js';

export interface SessionClaims {
  sessionId: string;
  projectId: string;
}

export type VerifyResult =
  | { ok: true; claims: SessionClaims }
  | { ok: false; message: 'Expired Token' | 'Invalid Token' };

const SECRET_KEY = 'jwt_secret';

export class SessionTokens {
  readonly #secret: Uint8Array;

  constructor(
    store: Store,
    /** Lifetime of a token, in seconds. */
    readonly ttlSeconds = 24 * 3600,
  ) {
    let secret = store.getMeta(SECRET_KEY);
    if (!secret) {
      secret = randomBytes(32).toString('base64');
      store.setMeta(SECRET_KEY, secret);
    }
    this.#secret = Buffer.from(secret, 'base64');
  }

  sign(claims: SessionClaims): Promise<string> {
    return new SignJWT({ session_id: claims.sessionId, project_id: claims.projectId })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + this.ttlSeconds)
      .sign(this.#secret);
  }

  async verify(token: string): Promise<VerifyResult> {
    try {
      const { payload } = await jwtVerify(token, this.#secret, { algorithms: ['HS256'] });
      const { session_id: sessionId, project_id: projectId } = payload;
      if (typeof sessionId !== 'string' || typeof projectId !== 'string')
        return { ok: false, message: 'Invalid Token' };
      return { ok: true, claims: { sessionId, projectId } };
    } catch (err) {
      return { ok: false, message: err instanceof errors.JWTExpired ? 'Expired Token' : 'Invalid Token' };
    }
  }
}
