import type { TextMapPropagator } from '@opentelemetry/api';
import {
  CompositePropagator,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from '@opentelemetry/core';
import { configWarning } from './config-warning.js';

/**
 * The global propagator, as the NodeSDK picks it: the `propagators` option; else
 * OTEL_PROPAGATORS (comma list of tracecontext, baggage, b3, b3multi, jaeger, none); else W3C
 * trace context + baggage. b3/b3multi/jaeger need @opentelemetry/propagator-b3 /
 * propagator-jaeger installed (loaded only when named); a missing or unknown one is skipped
 * with a warning. `none`, or nothing usable, means no propagator. Returns null for none.
 */
export async function resolvePropagator(
  option: TextMapPropagator | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<TextMapPropagator | null> {
  if (option) return option;
  const names = (env.OTEL_PROPAGATORS ?? '')
    .split(',')
    .map((n) => n.trim().toLowerCase())
    .filter(Boolean);
  if (names.length === 0) return compose([w3cTraceContext(), w3cBaggage()]);
  if (names.includes('none')) return null;
  const propagators: TextMapPropagator[] = [];
  for (const name of [...new Set(names)]) {
    const propagator = await create(name);
    if (propagator) propagators.push(propagator);
  }
  return propagators.length === 0 ? null : compose(propagators);
}

const w3cTraceContext = (): TextMapPropagator => new W3CTraceContextPropagator();
const w3cBaggage = (): TextMapPropagator => new W3CBaggagePropagator();

function compose(propagators: TextMapPropagator[]): TextMapPropagator {
  return propagators.length === 1 ? propagators[0]! : new CompositePropagator({ propagators });
}

async function create(name: string): Promise<TextMapPropagator | undefined> {
  switch (name) {
    case 'tracecontext':
      return w3cTraceContext();
    case 'baggage':
      return w3cBaggage();
    case 'b3':
    case 'b3multi': {
      const mod = await optional('@opentelemetry/propagator-b3', name);
      if (!mod?.B3Propagator) return undefined;
      // B3InjectEncoding: SINGLE_HEADER = 0, MULTI_HEADER = 1
      return new mod.B3Propagator({ injectEncoding: name === 'b3' ? 0 : 1 });
    }
    case 'jaeger': {
      const mod = await optional('@opentelemetry/propagator-jaeger', name);
      return mod?.JaegerPropagator ? new mod.JaegerPropagator() : undefined;
    }
    default:
      configWarning(`OTEL_PROPAGATORS: unknown propagator "${name}", skipped`);
      return undefined;
  }
}

type PropagatorModule = Record<string, new (config?: object) => TextMapPropagator>;

async function optional(specifier: string, name: string): Promise<PropagatorModule | undefined> {
  try {
    return (await import(specifier)) as PropagatorModule;
  } catch {
    configWarning(
      `OTEL_PROPAGATORS names "${name}" but ${specifier} is not installed ` +
        `(npm install ${specifier}); skipped`,
    );
    return undefined;
  }
}
