export { resolveSpoolDir } from './spool-dir.js';
export { ensureDir, ensureDirSync, OWNER_DIR_MODE } from './ensure-dir.js';
export {
  atomicTempPath,
  fsyncDirSync,
  OWNER_FILE_MODE,
  writeFileAtomic,
  writeFileAtomicSync,
  type WriteFileAtomicOptions,
} from './atomic-write.js';
