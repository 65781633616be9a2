// lib/libvirt — libvirt domain XML, both ways: a VM spec rendered to a domain
// definition, libvirt's own output read back and normalised for comparison,
// and an existing domain imported into a VM spec (with what the spec cannot
// express listed). Pure: depends only on lib/spec, zod and xmlbuilder2; no I/O.
// The host-level render (files of a revision, Nix module, plan) is lib/render.
//
//   domain-xml     renderDomainXml, diskTargets, the fixed names it uses
//   normalize      normalizeDomainXml, normalizeDomainTree, memoryKiB, canonicalMachine
//   differences    domainDifferences (the plan's change categories)
//   diff-text      diffText, sameForDiff (both sides of an approver's diff)
//   import/        importDomain, applyHostNeeds, mergeHostNeeds, filePool (see its index)
//   xml-tree       parseXml, serializeXml (small reader for dumpxml output)
//   xml-text       xmlText (free text → XML 1.0)
export * from './domain-xml';
export * from './normalize';
export * from './differences';
export * from './diff-text';
export * from './import';
export * from './xml-tree';
export * from './xml-text';
