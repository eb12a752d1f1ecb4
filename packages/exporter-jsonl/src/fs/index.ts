export {
  listServiceSpools,
  locateSpoolDir,
  resolveSpoolDir,
  serviceSpoolDir,
  spoolRoot,
  SpoolLocationError,
  type SpoolDirSource,
  type SpoolLocation,
} from './spool-dir.js';
export {
  ensureDir,
  ensureDirSync,
  ensureSpoolDir,
  ensureSpoolDirSync,
  OWNER_DIR_MODE,
} from './ensure-dir.js';
export {
  atomicTempPath,
  fsyncDirSync,
  OWNER_FILE_MODE,
  WRITE_NOFOLLOW_FLAGS,
  writeFileAtomic,
  writeFileAtomicSync,
  type WriteFileAtomicOptions,
} from './atomic-write.js';
export {
  checkSpoolDirSync,
  currentUid,
  UNSAFE_PATH_CODE,
  UnsafeSpoolPathError,
  unsafeDirReason,
  unsafeParentReason,
  warnUnsafePathOnce,
} from './safe-dir.js';
export {
  openStateFileSync,
  READ_NOFOLLOW_FLAGS,
  readJsonStateFileSync,
  readStateFileSync,
  type ReadStateFileOptions,
  type StateFileOpen,
  type StateFileOptions,
  type StateFileRead,
  type StateFileRefusal,
} from './state-file.js';
