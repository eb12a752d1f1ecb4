// Shared span fixtures: ~1.2 KB OTLP-JSON spans with 10 attributes, as in TARGETS.md.
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';

export const ATTRIBUTE_VALUE = 'x'.repeat(72);

export const RESOURCE = resourceFromAttributes({
  'service.name': 'bench-host',
  'service.version': '1.0.0',
  'host.name': 'bench-machine',
});

/** A tracer provider with the given processors and the bench resource. */
export function makeProvider(spanProcessors) {
  return new BasicTracerProvider({ resource: RESOURCE, spanProcessors });
}

/** The hot path measured in G1/G2: start a span, set 10 attributes, end it. */
export function makeSpan(tracer, i) {
  const span = tracer.startSpan('audio.process_block');
  span.setAttribute('plugin.id', 'com.example.reverb');
  span.setAttribute('plugin.instance', i & 7);
  span.setAttribute('block.index', i);
  span.setAttribute('block.size', 512);
  span.setAttribute('sample.rate', 48000.5);
  span.setAttribute('deadline.ok', true);
  span.setAttribute('attr.a', ATTRIBUTE_VALUE);
  span.setAttribute('attr.b', ATTRIBUTE_VALUE);
  span.setAttribute('attr.c', ATTRIBUTE_VALUE);
  span.setAttribute('attr.d', ATTRIBUTE_VALUE);
  span.end();
}
