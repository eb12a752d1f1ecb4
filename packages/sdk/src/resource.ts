import { readFileSync } from 'node:fs';
import { arch, hostname, release, type as osType, version as osVersion } from 'node:os';
import { basename } from 'node:path';
import { randomUUID } from 'node:crypto';
import {
  defaultResource,
  detectResources,
  envDetector,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import type { Resource } from '@opentelemetry/resources';

/** os.type values per the OpenTelemetry semantic conventions. */
const OS_TYPES: Record<string, string> = {
  Linux: 'linux',
  Darwin: 'darwin',
  Windows_NT: 'windows',
  FreeBSD: 'freebsd',
  OpenBSD: 'openbsd',
  SunOS: 'solaris',
  AIX: 'aix',
};

export interface ResourceInput {
  serviceName: string;
  serviceVersion: string | undefined;
  sessionId: string;
  attributes: Record<string, string | number | boolean>;
}

/**
 * The resource every record carries: service, host, os, process, runtime and session.
 *
 * Detection is synchronous and local on purpose (no cloud metadata probes: this runs inside
 * plugins and desktop apps, often offline). Command-line arguments are not recorded at all;
 * user and host identifiers are recorded locally and anonymised by the sync pipeline.
 * Precedence, lowest first: SDK defaults, detected facts, OTEL_RESOURCE_ATTRIBUTES, options.
 */
export function buildResource(input: ResourceInput): Resource {
  const detected: Record<string, string | number | boolean> = {
    'service.name': input.serviceName,
    'service.instance.id': randomUUID(),
    'session.id': input.sessionId,
    'host.name': hostname(),
    'host.arch': hostArch(),
    'os.type': OS_TYPES[osType()] ?? osType().toLowerCase(),
    'os.version': release(),
    'os.description': osVersion(),
    'process.pid': process.pid,
    'process.executable.name': basename(process.execPath),
    'process.runtime.name': 'nodejs',
    'process.runtime.version': process.versions.node,
    'process.runtime.description': 'Node.js',
  };
  const hostId = machineId();
  if (hostId) detected['host.id'] = hostId;
  if (input.serviceVersion) detected['service.version'] = input.serviceVersion;

  const fromEnv = detectResources({ detectors: [envDetector] });
  const explicit: Record<string, string | number | boolean> = {
    ...input.attributes,
    // The service name resolved from options/OTEL_SERVICE_NAME and the session id always win.
    'service.name': input.serviceName,
    'session.id': input.sessionId,
  };
  if (input.serviceVersion) explicit['service.version'] = input.serviceVersion;
  return defaultResource()
    .merge(resourceFromAttributes(detected))
    .merge(fromEnv)
    .merge(resourceFromAttributes(explicit));
}

/** host.arch values per semantic conventions (amd64, arm64, ...). */
function hostArch(): string {
  const a = arch();
  if (a === 'x64') return 'amd64';
  if (a === 'ia32') return 'x86';
  return a;
}

/** /etc/machine-id where it exists; other platforms leave host.id unset rather than spawn tools. */
function machineId(): string | undefined {
  for (const path of ['/etc/machine-id', '/var/lib/dbus/machine-id']) {
    try {
      const id = readFileSync(path, 'utf8').trim();
      if (id) return id;
    } catch {
      // not on this platform
    }
  }
  return undefined;
}
