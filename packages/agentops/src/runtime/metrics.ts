/**
 * Which `MeterProvider` the SDK's metrics go to (`InitOptions.metrics`): the one given, one of its
 * own exporting OTLP/HTTP (`true`), or the app's global one when it registered one. None costs
 * nothing on the hot path: spans are measured only when a real provider is there.
 */
import { GenAiMetrics, type Logger } from '@agentops/exporter';
import { errorText } from '@agentops/exporter/internal';
import { createNoopMeter, type MeterProvider, metrics } from '@opentelemetry/api';
import type { ResolvedConfig } from '../config.js';
import { optionalRequire } from '../optional-require.js';
import { detectHostResource } from '../resource/detect.js';
import { SDK_VERSION } from '../version.js';

export interface MetricsChoice {
  metrics: GenAiMetrics | undefined;
  /** The provider the metrics go to (also given to the instrumentations that measure themselves). */
  meterProvider: MeterProvider | undefined;
  /** Flushes and stops a provider the SDK made; nothing for one it was given. */
  shutdown(): Promise<void>;
}

const NONE: MetricsChoice = { metrics: undefined, meterProvider: undefined, shutdown: () => Promise.resolve() };

/** Whether a provider's meters are the API's no-ops (no provider registered). */
function isNoop(provider: MeterProvider): boolean {
  try {
    return provider.getMeter('agentops') instanceof createNoopMeter().constructor;
  } catch {
    return true;
  }
}

type SdkMetrics = typeof import('@opentelemetry/sdk-metrics');
type OtlpMetrics = typeof import('@opentelemetry/exporter-metrics-otlp-http');

/** A provider of the SDK's own, exporting OTLP/HTTP every minute (the SDK's default period) and at shutdown. */
function otlpMeterProvider(config: ResolvedConfig, logger: Logger): MetricsChoice {
  const sdk = optionalRequire<SdkMetrics>('@opentelemetry/sdk-metrics');
  const otlp = optionalRequire<OtlpMetrics>('@opentelemetry/exporter-metrics-otlp-http');
  if (!sdk || !otlp) {
    logger.warn(
      'metrics: true needs @opentelemetry/sdk-metrics and @opentelemetry/exporter-metrics-otlp-http; install both to export metrics.',
    );
    return NONE;
  }
  const provider = new sdk.MeterProvider({
    resource: detectHostResource(config.envDataOptOut),
    readers: [new sdk.PeriodicExportingMetricReader({ exporter: new otlp.OTLPMetricExporter() })],
  });
  return {
    metrics: new GenAiMetrics(provider, { version: SDK_VERSION }),
    meterProvider: provider,
    shutdown: () =>
      provider.shutdown().catch((err: unknown) => logger.warn(`metrics: shutdown failed: ${errorText(err)}`)),
  };
}

export function chooseMetrics(config: ResolvedConfig): MetricsChoice {
  const option = config.metrics;
  if (option === false) return NONE;
  if (option === true) return otlpMeterProvider(config, config.logger);
  const provider = option ?? metrics.getMeterProvider();
  if (option === undefined && isNoop(provider)) return NONE;
  return {
    metrics: new GenAiMetrics(provider, { version: SDK_VERSION }),
    meterProvider: provider,
    shutdown: () => Promise.resolve(),
  };
}
