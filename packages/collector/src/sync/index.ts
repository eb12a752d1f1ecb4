export {
  type SyncOptions,
  type SyncProgress,
  type SyncSummary,
  type SyncStatus,
  type DestinationSummary,
  DEFAULT_MAX_REQUEST_BYTES,
  runSync,
} from './run-sync.js';
export {
  type ResendOptions,
  type ResendSummary,
  resendDeadLetters,
} from './resend-dead-letters.js';
export { deleteSyncedSegments } from './delete-synced.js';
