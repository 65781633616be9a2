// lib/render — pure functions from a validated spec to what a host runs: the
// NixOS module, the files of a revision with their manifest and hash, and the
// plan (desired vs deployed vs live). The domain XML of one VM — rendering,
// normalising, importing — is lib/libvirt's; this layer puts those files
// together per host. Depends only on lib/spec and lib/libvirt. No I/O.
//
//   nix-module     renderNixModule
//   render-host    renderHost, manifestJson
//   plan           plan
//   nix-escape     nixString, nixIndentedBody, nixAttrName, shellQuote
//   nix-value      nixValue, NixPath
//   layout         file paths of a render, folders on the host
//   hash           sha256Hex, filesHash
export * from './nix-module';
export * from './render-host';
export * from './plan';
export * from './nix-escape';
export * from './nix-value';
export * from './layout';
export * from './hash';
