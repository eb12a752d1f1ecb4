export { resolveSpoolDir } from './spool-dir.js';
