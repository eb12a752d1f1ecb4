import { attributesField } from './common.js';
import { objectField, stringField, u32Field, type JsonObject } from './fields.js';
import { itemListField, lengthOf, one, sumOf } from './items.js';
import { expectObject, type NormalizeContext } from './scalars.js';

/** One signal's three levels in OTLP/JSON: resource envelopes → scope envelopes → items. */
export interface SignalEnvelope {
  /** `resourceSpans`, `resourceMetrics`, `resourceLogs`. */
  readonly resources: string;
  /** `scopeSpans`, … */
  readonly scopes: string;
  /** The scope level's name before OTLP v0.15 (see upgradeLegacyScopeList below). */
  readonly legacyScopes: string;
  /** `spans`, `metrics`, `logRecords`. */
  readonly items: string;
  /** Records one item holds (1 for a span or log record, its data points for a metric). */
  readonly countItem: (item: unknown) => number;
  /** Records a dropped scope envelope held. */
  readonly itemsOfScope: (scope: unknown) => number;
  /** Records a dropped resource envelope held. */
  readonly itemsOfResource: (resource: unknown) => number;
}

export function signalEnvelope(
  resources: string,
  scopes: string,
  legacyScopes: string,
  items: string,
  countItem: (item: unknown) => number = one,
): SignalEnvelope {
  const itemsOfScope =
    countItem === one
      ? (scope: unknown): number => lengthOf(scope, items)
      : (scope: unknown): number => sumOf(scope, items, countItem);
  const itemsOfResource = (resource: unknown): number =>
    sumOf(resource, scopes, itemsOfScope) + sumOf(resource, legacyScopes, itemsOfScope);
  return Object.freeze({
    resources,
    scopes,
    legacyScopes,
    items,
    countItem,
    itemsOfScope,
    itemsOfResource,
  });
}

/**
 * Checks one item in place. `where()` builds the path of the scope envelope holding it
 * (`resourceSpans[0].scopeSpans[2]`); call it only when something is rejected.
 */
export type ItemCheck = (
  item: unknown,
  ctx: NormalizeContext,
  index: number,
  where: () => string,
) => void;

/**
 * Walks resource envelopes → scope envelopes → items, normalising the envelopes (resource,
 * scope, schemaUrl, the pre-v0.15 scope names) and passing each item to `check`. In a
 * tolerant walk (`ctx.drops`) an invalid item is dropped alone and an invalid envelope with
 * what it holds (items.ts, itemListField).
 */
export function walkEnvelopes(
  data: JsonObject,
  ctx: NormalizeContext,
  env: SignalEnvelope,
  check: ItemCheck,
): void {
  itemListField(
    data,
    env.resources,
    ctx,
    (item, ri) => {
      const resource = expectObject(item);
      resourceEnvelope(resource, ctx);
      upgradeLegacyScopeList(resource, env.scopes, env.legacyScopes);
      itemListField(
        resource,
        env.scopes,
        ctx,
        (item2, si) => {
          const scope = expectObject(item2);
          scopeEnvelope(scope, ctx);
          const where = (): string => `${env.resources}[${ri}].${env.scopes}[${si}]`;
          itemListField(
            scope,
            env.items,
            ctx,
            (value, i) => check(value, ctx, i, where),
            env.countItem,
            where,
          );
        },
        env.itemsOfScope,
        () => `${env.resources}[${ri}]`,
      );
    },
    env.itemsOfResource,
    () => '',
  );
}

function resource(value: JsonObject, ctx: NormalizeContext): void {
  attributesField(value, 'attributes', ctx);
  u32Field(value, 'droppedAttributesCount');
}

function scope(value: JsonObject, ctx: NormalizeContext): void {
  stringField(value, 'name');
  stringField(value, 'version');
  attributesField(value, 'attributes', ctx);
  u32Field(value, 'droppedAttributesCount');
}

/**
 * OTLP before v0.15 (2022) named the scope level `instrumentationLibrary{Spans,Metrics,Logs}`
 * with an `instrumentationLibrary` object; Collector file-exporter output of that era still
 * exists. Such data is renamed to the current fields (only when the current field is absent).
 */
function upgradeLegacyScopeList(value: JsonObject, current: string, legacy: string): void {
  if (value[current] === undefined && value[legacy] !== undefined) {
    value[current] = value[legacy];
    delete value[legacy];
  }
}

/** The resource / scope envelope fields every signal shares. */
function resourceEnvelope(value: JsonObject, ctx: NormalizeContext): void {
  objectField(value, 'resource', (r) => resource(r, ctx));
  stringField(value, 'schemaUrl');
}

function scopeEnvelope(value: JsonObject, ctx: NormalizeContext): void {
  if (value.scope === undefined && value.instrumentationLibrary !== undefined) {
    value.scope = value.instrumentationLibrary;
    delete value.instrumentationLibrary;
  }
  objectField(value, 'scope', (s) => scope(s, ctx));
  stringField(value, 'schemaUrl');
}
