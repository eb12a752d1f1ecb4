export { resolveSpoolDir } from './fs/spool-dir.js';
