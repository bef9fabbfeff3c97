import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { DeliveryReport } from './webhooks.js';

/**
 * The service's Prometheus metrics, on a registry of its own (so two apps in one test process never share
 * counters): request latency by route template, decisions by outcome, webhook deliveries and failures.
 */
export interface ApiMetrics {
  readonly registry: Registry;
  readonly requestSeconds: Histogram<'method' | 'route' | 'status'>;
  readonly decisions: Counter<'decision'>;
  readonly webhookDeliveries: Counter<'outcome'>;
  readonly webhookFailures: Counter<'outcome'>;
  /** Feeds one delivery attempt of the webhook deliverer into the two webhook counters. */
  readonly onDelivery: (r: DeliveryReport) => void;
}

/**
 * Makes the metrics. `processMetrics` adds Node's default ones (heap, event loop lag …): on for the server,
 * off for tests that make many apps.
 * @example const m = createMetrics(); m.decisions.inc({ decision: 'approve' });
 */
export function createMetrics(processMetrics = false): ApiMetrics {
  const registry = new Registry();
  if (processMetrics) collectDefaultMetrics({ register: registry });
  const requestSeconds = new Histogram({
    name: 'rongdan_http_request_duration_seconds',
    help: 'HTTP request latency by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });
  const decisions = new Counter({
    name: 'rongdan_decisions_total',
    help: 'Assessments made (stored), by decision',
    labelNames: ['decision'] as const,
    registers: [registry],
  });
  const webhookDeliveries = new Counter({
    name: 'rongdan_webhook_deliveries_total',
    help: 'Webhook delivery attempts by outcome (delivered, retry, dead)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const webhookFailures = new Counter({
    name: 'rongdan_webhook_failures_total',
    help: 'Failed webhook delivery attempts (retried or dead-lettered)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const onDelivery = (r: DeliveryReport) => {
    webhookDeliveries.inc({ outcome: r.outcome });
    if (r.outcome !== 'delivered') webhookFailures.inc({ outcome: r.outcome });
  };
  return { registry, requestSeconds, decisions, webhookDeliveries, webhookFailures, onDelivery };
}
