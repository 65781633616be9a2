// lib/spec — zod schemas of hosts, VMs, networks and disks: the single source
// of validation for forms, server actions, the HTTP API and the CLI, also
// published as JSON Schema. Depends on nothing else in lib/.
//
//   primitives      identifiers, paths, MAC/UUID, free text; newUuid, newMac
//   host            hostSpecSchema (networking, pools, base images)
//   vm              vmSpecSchema, vmDraftSchema, assignIdentity
//   unmanaged-xml   unmanagedXmlSpec: XML a VM carries unmodelled, and its rules
//   xml-reader      parseXml (imported by path; lib/libvirt re-exports it)
//   host-with-vms   { host, vms } with cross-field checks; parseHostWithVms
//   issues          formatIssues, formatPath, operatorErrorMap
//   json-schema     hostSpecJsonSchema
export * from './primitives';
export * from './host';
export * from './vm';
export * from './unmanaged-xml';
export * from './host-with-vms';
export * from './issues';
export * from './json-schema';
