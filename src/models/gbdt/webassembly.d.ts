// The part of the WebAssembly JavaScript API the GBDT histogram kernel uses (wasm.ts). TypeScript declares
// it only in lib "dom", which this Node project does not load; @types/emscripten (a dependency's types)
// declares an empty WebAssembly.Module interface, which these declarations merge with.
declare namespace WebAssembly {
  /** A compiled module (opaque here). */
  interface Module {
    readonly __compiled?: never;
  }
  const Module: new (bytes: Uint8Array) => Module;
  interface Memory {
    /** A SharedArrayBuffer when the memory is shared. */
    readonly buffer: ArrayBufferLike;
  }
  const Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => Memory;
  interface Instance {
    readonly exports: Record<string, unknown>;
  }
  const Instance: new (module: Module, imports: Record<string, Record<string, unknown>>) => Instance;
  function validate(bytes: Uint8Array): boolean;
}
