/**
 * HS256 JWTs, as the AgentOps API hands them out: bound to one session of one project (v2
 * create_session and reauthorize_jwt), or to a project (v3 `/v3/auth/token`, what AgentOps 0.4.x
 * clients send their OTLP spans with). The signing secret is made once and kept in the database.
 * Neither kind passes for the other.
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
/** The audience AgentOps' v3 tokens carry. */
const PROJECT_AUDIENCE = 'authenticated';
/** Lifetime of a v3 project token: 30 days, as AgentOps' own. */
export const PROJECT_TOKEN_TTL_SECONDS = 30 * 24 * 3600;

export class SessionTokens {
  readonly #secret: Uint8Array;

  private constructor(
    secret: string,
    /** Lifetime of a token, in seconds. */
    readonly ttlSeconds: number,
  ) {
    this.#secret = Buffer.from(secret, 'base64');
  }

  /**
   * The tokens of a store: its secret is made by the first instance that needs one and read by every
   * other, so a token one instance signs, any instance on the same database verifies.
   */
  static async load(store: Store, ttlSeconds = 24 * 3600): Promise<SessionTokens> {
    return new SessionTokens(await store.metaOrSet(SECRET_KEY, randomBytes(32).toString('base64')), ttlSeconds);
  }

  sign(claims: SessionClaims): Promise<string> {
    return new SignJWT({ session_id: claims.sessionId, project_id: claims.projectId })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + this.ttlSeconds)
      .sign(this.#secret);
  }

  /** A v3 token for a project: `aud: "authenticated"` and `project_id`, 30 days. */
  signProject(projectId: string): Promise<string> {
    return new SignJWT({ project_id: projectId })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setAudience(PROJECT_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + PROJECT_TOKEN_TTL_SECONDS)
      .sign(this.#secret);
  }

  /** The project of a valid v3 token, or why it is not one. */
  async verifyProject(
    token: string,
  ): Promise<{ ok: true; projectId: string } | { ok: false; message: 'Expired Token' | 'Invalid Token' }> {
    try {
      const { payload } = await jwtVerify(token, this.#secret, { algorithms: ['HS256'], audience: PROJECT_AUDIENCE });
      const { project_id: projectId, session_id: sessionId } = payload;
      if (typeof projectId !== 'string' || sessionId !== undefined) return { ok: false, message: 'Invalid Token' };
      return { ok: true, projectId };
    } catch (err) {
      return { ok: false, message: err instanceof errors.JWTExpired ? 'Expired Token' : 'Invalid Token' };
    }
  }

  async verify(token: string): Promise<VerifyResult> {
    try {
      const { payload } = await jwtVerify(token, this.#secret, { algorithms: ['HS256'] });
      if (payload.aud !== undefined) return { ok: false, message: 'Invalid Token' };
      const { session_id: sessionId, project_id: projectId } = payload;
      if (typeof sessionId !== 'string' || typeof projectId !== 'string')
        return { ok: false, message: 'Invalid Token' };
      return { ok: true, claims: { sessionId, projectId } };
    } catch (err) {
      return { ok: false, message: err instanceof errors.JWTExpired ? 'Expired Token' : 'Invalid Token' };
    }
  }
}
