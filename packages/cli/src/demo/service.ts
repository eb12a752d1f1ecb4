/** The sample plugin host's service.name and service.version (what `spool demo` reads back). */
export const DEMO_SERVICE = 'demo-plugin-host';
export const DEMO_VERSION = '1.4.2';
