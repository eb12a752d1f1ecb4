export {
  type Consent,
  type ConsentState,
  type ConsentSignals,
  type GrantOptions,
  type DenyOptions,
  CONSENT_FILE,
  PURGED_ENTRIES,
  readConsent,
  ensureSalt,
  grantConsent,
  denyConsent,
  revokeConsent,
  consentAllowsSending,
  describeConsentRefusal,
  MAX_CONSENT_BYTES,
} from './consent.js';
export { type ConsentPreview, type SignalCounts, previewConsent } from './preview.js';
