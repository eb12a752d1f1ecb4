export {
  type CursorFile,
  SYNC_DIR,
  CursorStore,
  cursorKey,
  readCursor,
  listCursors,
} from './cursor-store.js';
export { type SyncLock, SyncLockedError, acquireSyncLock } from './lock.js';
