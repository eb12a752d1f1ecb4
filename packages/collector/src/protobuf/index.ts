// Kept while test/reliability/hostile-bodies.test.ts imports this folder; the package API is
// src/index.ts.
export {
  type PartialSuccess,
  type RpcStatus,
  REJECTED_FIELD,
  encodeRequest,
  decodeRequest,
  encodeResponse,
  decodeResponse,
  partialFrom,
  encodeStatus,
  decodeStatus,
} from './codec.js';
export { MalformedProtobufError, scanRequest, type WireScanResult } from './wire-scan.js';
