import { diag } from '@opentelemetry/api';
import type { MeterProvider, TracerProvider } from '@opentelemetry/api';
import type { LoggerProvider } from '@opentelemetry/api-logs';

/**
 * The part of an OpenTelemetry `Instrumentation` (from @opentelemetry/instrumentation) that
 * registration uses. Declared here so that the SDK's types do not require that package: it is
 * an optional peer, present whenever a user has an instrumentation to pass.
 */
export interface InstrumentationLike {
  instrumentationName: string;
  setTracerProvider(provider: TracerProvider): void;
  setMeterProvider(provider: MeterProvider): void;
  setLoggerProvider?(provider: LoggerProvider): void;
  enable(): void;
  disable(): void;
  getConfig(): { enabled?: boolean };
}

export interface Providers {
  tracerProvider: TracerProvider;
  meterProvider: MeterProvider;
  loggerProvider: LoggerProvider;
}

type Register = (options: Providers & { instrumentations: InstrumentationLike[] }) => () => void;

/**
 * Loads `registerInstrumentations` only when the user passed instrumentations, so start-up
 * without any costs nothing. If the package cannot be resolved from here (an unusual layout),
 * does what it does: hand each instrumentation our providers and enable it.
 */
export async function loadRegistrar(): Promise<Register> {
  try {
    const mod = (await import('@opentelemetry/instrumentation')) as unknown as {
      registerInstrumentations: Register;
    };
    return mod.registerInstrumentations;
  } catch {
    return registerDirectly;
  }
}

function registerDirectly(options: Providers & { instrumentations: InstrumentationLike[] }) {
  for (const instrumentation of options.instrumentations) {
    instrumentation.setTracerProvider(options.tracerProvider);
    instrumentation.setMeterProvider(options.meterProvider);
    instrumentation.setLoggerProvider?.(options.loggerProvider);
    if (!instrumentation.getConfig().enabled) instrumentation.enable();
  }
  return () => options.instrumentations.forEach((i) => i.disable());
}

/** Registers them; never throws into the host. Returns the undo (disables them). */
export function registerWith(
  register: Register,
  instrumentations: InstrumentationLike[],
  providers: Providers,
): () => void {
  try {
    return register({ ...providers, instrumentations });
  } catch (error) {
    diag.error('otelspool: instrumentations could not be registered', error);
    return () => undefined;
  }
}
