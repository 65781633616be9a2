// lib/render — pure functions from a validated spec to what a host runs:
// libvirt domain XML, the NixOS module, the files of a revision with their
// manifest and hash; and the canonical form of domain XML and the plan
// (desired vs deployed vs live). Depends only on lib/spec. No I/O.
//
//   domain-xml     renderDomainXml
//   nix-module     renderNixModule
//   render-host    renderHost, manifestJson
//   normalize      normalizeDomainXml
//   plan           plan
//   nix-escape     nixString, nixIndentedBody, nixAttrName, shellQuote
//   xml-text       xmlText (free text → XML 1.0)
//   xml-tree       parseXml, serializeXml (small reader for dumpxml output)
//   layout         file paths of a render, folders on the host
//   hash           sha256Hex, filesHash
export * from './domain-xml';
export * from './nix-module';
export * from './render-host';
export * from './normalize';
export * from './plan';
export * from './nix-escape';
export * from './nix-value';
export * from './xml-text';
export * from './xml-tree';
export * from './layout';
export * from './hash';
