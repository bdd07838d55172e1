/** A project's overview (API key): what the dashboard's overview page draws, computed in the store. */
import type { FastifyInstance } from 'fastify';
import { bucketCount, MAX_BUCKETS, type OverviewBucket } from '../../db/overview.js';
import { timestampOf } from '../../timestamps.js';
import { projectOf, requireProject } from '../auth.js';
import { badRequest } from '../replies.js';
import { overviewQuerySchema } from '../schemas.js';
import type { V2Deps } from './deps.js';
import { timeRange } from './time-range.js';

const DAY_MS = 86_400_000;
/** Without a range: the last seven days. Without a bucket: hours up to two days, days past that. */
const DEFAULT_RANGE_MS = 7 * DAY_MS;
const HOURLY_UP_TO_MS = 2 * DAY_MS;

export function registerOverviewRoutes(app: FastifyInstance, deps: V2Deps): void {
  const project = requireProject(deps.store, deps.tokens);
  app.get<{ Querystring: { from?: string; to?: string; bucket?: OverviewBucket } }>(
    '/v2/overview',
    { schema: { querystring: overviewQuerySchema }, preHandler: project },
    async (request, reply) => {
      const range = timeRange(request.query);
      if (typeof range === 'string') return badRequest(reply, range);
      const to = range.to ?? timestampOf(Date.now());
      // Not before 1970, where the stores' times begin (a `to` early in 1970 has a shorter default range).
      const from = range.from ?? timestampOf(Date.parse(to) - DEFAULT_RANGE_MS);
      const span = Date.parse(to) - Date.parse(from);
      if (span <= 0) return badRequest(reply, 'from must be before to');
      const bucket = request.query.bucket ?? (span <= HOURLY_UP_TO_MS ? 'hour' : 'day');
      const query = { from, to, bucket };
      if (bucketCount(query) > MAX_BUCKETS) {
        return badRequest(
          reply,
          `the range has more than ${MAX_BUCKETS} ${bucket}s: ask for a shorter one or bucket=day`,
        );
      }
      return deps.store.overview(projectOf(request).id, query);
    },
  );
}
