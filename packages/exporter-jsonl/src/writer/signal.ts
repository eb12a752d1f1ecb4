// The signal names are defined once, with the OTLP types; the writer imports them from there.
export { SIGNALS } from '../otlp/types.js';
export type { Signal } from '../otlp/types.js';
